// Network namespaces for the agent's tests: a "host" namespace (lo with 169.254.169.254 for the
// IMDS double and 169.254.170.23 for the agent) and a "container" namespace behind a veth pair,
// routed through the host one as a bridge-network container is. Processes run inside them with
// `ip netns exec` and, for another UID, `setpriv`. Everything made here is undone at exit and on
// SIGTERM (lab/cleanup.ts), also when the suite's after() never runs.
import { ChildProcess, execFile, execFileSync } from "child_process";
import * as path from "path";
import * as readline from "readline";

import { registerCleanup, spawnGroup, stopGroup } from "../../lab/cleanup";
import type { ProbeAnswer, ProbeRequest } from "./nsProbe";

export const root = path.resolve(__dirname, "../..");
export const agentUser = "rolepair-agent";

export function sh(command: string, ...args: string[]): string {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The agent's system user, created as the host does if missing; deleted at exit if made here. */
export function ensureAgentUser(): void {
    try {
        sh("id", "-u", agentUser);
        return;
    } catch {
        // Missing: made below.
    }
    sh("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", agentUser);
    registerCleanup(() => {
        execFileSync("userdel", [agentUser], { stdio: "ignore" });
    });
}

export interface Namespaces {
    host: string;
    container: string;
    /** The host namespace's end of the veth pair, the container's gateway. */
    gateway: string;
    containerAddress: string;
    remove(): void;
}

export function makeNamespaces(): Namespaces {
    const tag = `${process.pid}`;
    const host = `rolepair-agh${tag}`;
    const container = `rolepair-agc${tag}`;
    const subnet = `10.213.${process.pid % 250}`;
    const gateway = `${subnet}.1`;
    const containerAddress = `${subnet}.2`;
    const vethHost = `rpah${tag}`.slice(0, 15);
    const vethCt = `rpac${tag}`.slice(0, 15);
    const remove = registerCleanup(() => {
        for (const ns of [container, host]) {
            try {
                // What runs inside goes with it: a child killed at once (SIGTERM to the suite)
                // leaves its own children (nsLab's moto) behind in the namespace.
                const pids = execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
                for (const pid of pids.split("\n").filter(Boolean)) {
                    try {
                        process.kill(Number(pid), "SIGKILL");
                    } catch {
                        // Gone already.
                    }
                }
                execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
            } catch {
                // Not made (yet).
            }
        }
    });
    const inHost = (...args: string[]) => sh("ip", "netns", "exec", host, ...args);
    const inCt = (...args: string[]) => sh("ip", "netns", "exec", container, ...args);
    sh("ip", "netns", "add", host);
    sh("ip", "netns", "add", container);
    inHost("ip", "link", "set", "lo", "up");
    inHost("ip", "addr", "add", "169.254.169.254/32", "dev", "lo");
    inHost("ip", "addr", "add", "169.254.170.23/32", "dev", "lo");
    inHost("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethCt);
    inHost("ip", "link", "set", vethCt, "netns", container);
    inHost("ip", "addr", "add", `${gateway}/30`, "dev", vethHost);
    inHost("ip", "link", "set", vethHost, "up");
    inHost("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    inCt("ip", "link", "set", "lo", "up");
    inCt("ip", "addr", "add", `${containerAddress}/30`, "dev", vethCt);
    inCt("ip", "link", "set", vethCt, "up");
    inCt("ip", "route", "add", "default", "via", gateway);
    return { host, container, gateway, containerAddress, remove };
}

/** `ip netns exec NS [setpriv as UID] command ...`; uid undefined: root. */
export function inNamespace(ns: string, uid: number | string | undefined, command: string[]) {
    const as =
        uid === undefined
            ? []
            : ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--"];
    return ["netns", "exec", ns, ...as, ...command];
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a short command in `ns` as `uid` with exactly `env` (plus PATH). */
export function runIn(
    ns: string,
    uid: number | string | undefined,
    command: string[],
    env: NodeJS.ProcessEnv,
    timeoutMs = 60_000,
): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(
            "ip",
            inNamespace(ns, uid, command),
            { env: { PATH: process.env.PATH, ...env }, cwd: root, timeout: timeoutMs },
            (error, stdout, stderr) => {
                const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
                resolve({ code, stdout, stderr });
            },
        );
    });
}

/** A child speaking JSON lines on stdin/stdout, started in a namespace. */
export class LineChild {
    readonly lines: string[] = [];
    private waiters: (() => void)[] = [];
    stderr = "";
    constructor(readonly child: ChildProcess) {
        readline.createInterface({ input: child.stdout! }).on("line", (line) => {
            this.lines.push(line);
            for (const w of this.waiters.splice(0)) w();
        });
        child.stderr!.on("data", (c) => (this.stderr += c));
    }
    static start(ns: string, uid: number | string | undefined, command: string[], env = {}) {
        const child = spawnGroup("ip", inNamespace(ns, uid, command), {
            cwd: root,
            env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        return new LineChild(child);
    }
    /** The first line (from `from` on) that `match` accepts. */
    async line(match: (line: string) => boolean, from = 0, ms = 60_000): Promise<string> {
        const end = Date.now() + ms;
        for (;;) {
            const found = this.lines.slice(from).find(match);
            if (found !== undefined) return found;
            if (this.child.exitCode !== null || Date.now() > end)
                throw new Error(
                    `no such line; exit ${this.child.exitCode}; stderr: ${this.stderr}`,
                );
            await new Promise<void>((r) => {
                this.waiters.push(r);
                setTimeout(r, 200);
            });
        }
    }
    send(line: string): void {
        this.child.stdin!.write(`${line}\n`);
    }
    async stop(): Promise<void> {
        this.child.stdin!.end();
        await stopGroup(this.child);
    }
}

const tsNode = ["node", "-r", "ts-node/register/transpile-only"];

/** A probe (nsProbe.ts) in `ns` as `uid`: raw TCP exchanges from where that UID stands. */
export class Probe {
    private id = 0;
    private constructor(private readonly child: LineChild) {}
    static async start(ns: string, uid?: number | string): Promise<Probe> {
        const child = LineChild.start(ns, uid, [...tsNode, "test/agent/nsProbe.ts"]);
        await child.line((l) => l === "ready");
        return new Probe(child);
    }
    async send(request: ProbeRequest): Promise<ProbeAnswer> {
        const id = ++this.id;
        const from = this.child.lines.length;
        this.child.send(JSON.stringify({ id, ...request }));
        const line = await this.child.line((l) => l.startsWith(`{"id":${id},`), from);
        return JSON.parse(line) as ProbeAnswer;
    }
    /** An HTTP/1.1 request with these header lines; the status (0 if none) and the body. */
    async http(
        host: string,
        port: number,
        method: string,
        urlPath: string,
        headers: [string, string][],
        timeoutMs = 3000,
    ): Promise<{ status: number; body: string; error?: string }> {
        const head = [`${method} ${urlPath} HTTP/1.1`, `Host: ${host}`, "Connection: close"];
        for (const [k, v] of headers) head.push(`${k}: ${v}`);
        const answer = await this.send({
            host,
            port,
            chunks: [`${head.join("\r\n")}\r\n\r\n`],
            timeoutMs,
        });
        return { ...parseHttp(answer.text), error: answer.error };
    }
    stop(): Promise<void> {
        return this.child.stop();
    }
}

export function parseHttp(text: string): { status: number; body: string } {
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
    const at = text.indexOf("\r\n\r\n");
    return { status, body: at < 0 ? "" : text.slice(at + 4) };
}

export const nsLabCommand = [...tsNode, "test/agent/nsLab.ts"];
