// What node alone does on this machine, as a floor under the agent's figures: a plain HTTP server
// (same node binary and flags as the agent) that answers every request with a fixed body of the
// agent's answer's size, loaded by the same clients; and its memory with nothing loaded.
import type { ChildProcess } from "child_process";

import { spawnGroup, stopGroup } from "../lab/cleanup";
import { freePort } from "../lab/ports";
import { onServerCpu } from "./cpuPin";
import { memory, type Memory } from "./procStats";

export interface FloorServer {
    pid: number;
    url: string;
    stop(): Promise<void>;
}

const serverSource = (port: number, bodyBytes: number) =>
    `const body = JSON.stringify({ pad: "x".repeat(${Math.max(0, bodyBytes - 10)}) });` +
    `require("http").createServer((req, res) => { req.resume(); res.writeHead(200, {` +
    `"content-type": "application/json", "content-length": Buffer.byteLength(body),` +
    `"cache-control": "no-store" }); res.end(body); })` +
    `.listen(${port}, "127.0.0.1", () => console.log("up"));`;

export async function startFloorServer(
    node: string,
    nodeFlags: readonly string[],
    bodyBytes: number,
): Promise<FloorServer> {
    const port = await freePort();
    const child: ChildProcess = spawnGroup(
        ...onServerCpu(node, [...nodeFlags, "-e", serverSource(port, bodyBytes)]),
        { stdio: ["ignore", "pipe", "ignore"] },
    );
    await new Promise((r) => child.stdout!.once("data", r));
    return {
        pid: child.pid!,
        url: `http://127.0.0.1:${port}/v1/credentials`,
        stop: () => stopGroup(child),
    };
}

/** The floor server's memory with nothing asked of it, after start-up's garbage settles. */
export async function floorMemory(node: string, nodeFlags: readonly string[]): Promise<Memory> {
    const server = await startFloorServer(node, nodeFlags, 0);
    await new Promise((r) => setTimeout(r, 1000));
    const m = memory(server.pid);
    await server.stop();
    return m;
}
