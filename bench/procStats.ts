// A child process's CPU time and memory, from /proc (Linux): what the agent itself spends, apart
// from the bench that loads it on the same cores.
import * as fs from "fs";

const ticksPerSecond = 100; // USER_HZ on Linux.

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function statusKb(status: string, key: string): number {
    const line = status.split("\n").find((l) => l.startsWith(`${key}:`));
    return Number(/(\d+)/.exec(line ?? "")?.[1]);
}

/**
 * Resident memory in MB: all of it (VmRSS), the process's own pages (RssAnon: heap, stacks,
 * malloc), the file-backed ones (RssFile: mostly the node binary's pages, shared with every other
 * node process and the page cache), and the peak (VmHWM).
 */
export interface Memory {
    rss: number;
    anon: number;
    file: number;
    peak: number;
}

export function memory(pid: number): Memory {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const mb = (key: string) => statusKb(status, key) / 1024;
    return { rss: mb("VmRSS"), anon: mb("RssAnon"), file: mb("RssFile"), peak: mb("VmHWM") };
}

/** "62.1 MB (anon 19.4 + file 42.7)". */
export function describeMemory(m: Memory): string {
    return `${m.rss.toFixed(1)} MB (anon ${m.anon.toFixed(1)} + file ${m.file.toFixed(1)})`;
}
