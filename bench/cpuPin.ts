// BENCH_AGENT_PIN=1: the server under load (the agent, the floor) on CPU 0 and the clients (this
// process, with all its threads) on CPU 1, so that the latency measured is the server's and not
// the clients' turn on a shared core. A what-if of measurement, not of the agent: on a host the
// agent shares its cores with everything else, which the default, unpinned run shows.
import { execFileSync } from "child_process";

export const pinned = process.env.BENCH_AGENT_PIN === "1";

/** `command args` as spawned: under `taskset -c 0` when pinned. */
export function onServerCpu(command: string, args: string[]): [string, string[]] {
    return pinned ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
}

/** Runs `body` with this process on CPU 1 when pinned, then on every CPU again. */
export async function onClientCpu<T>(body: () => Promise<T>): Promise<T> {
    if (!pinned) return body();
    const all = execFileSync("taskset", ["-p", "-c", String(process.pid)], { encoding: "utf8" })
        .trim()
        .split(": ")
        .pop()!;
    execFileSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
    try {
        return await body();
    } finally {
        execFileSync("taskset", ["-a", "-p", "-c", all, String(process.pid)], { stdio: "ignore" });
    }
}
