// Which process group holds a listening TCP socket on loopback, read from /proc (Linux, as every
// layer that starts a server is). A port from freePort() is free only until the kernel hands it
// to someone else: when a parallel suite's server takes it between our probe and our server's
// bind, our server dies on EADDRINUSE while the port answers, and the fixture would talk to the
// other suite's server. Checking the owner turns that into a clear retry instead.
import * as fs from "fs";

const listening = "0A";

/** The socket inode listening on 127.0.0.1:port or 0.0.0.0:port, or undefined. */
function listenerInode(port: number): string | undefined {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const addresses = new Set([`0100007F:${hexPort}`, `00000000:${hexPort}`]);
    for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (addresses.has(fields[1]) && fields[3] === listening) return fields[9];
    }
    return undefined;
}

function processGroupOf(pid: string): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    } catch {
        return undefined;
    }
}

function holdsSocket(pid: string, socket: string): boolean {
    try {
        return fs
            .readdirSync(`/proc/${pid}/fd`)
            .some((fd) => readLink(`/proc/${pid}/fd/${fd}`) === socket);
    } catch {
        return false; // Gone, or not ours to read.
    }
}

function readLink(file: string): string | undefined {
    try {
        return fs.readlinkSync(file);
    } catch {
        return undefined;
    }
}

/** The process group of the process listening on loopback's `port`, or undefined if none is. */
export function listenerProcessGroup(port: number): number | undefined {
    const inode = listenerInode(port);
    if (inode === undefined) return undefined;
    const socket = `socket:[${inode}]`;
    for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
        if (holdsSocket(pid, socket)) return processGroupOf(pid);
    }
    return undefined;
}
