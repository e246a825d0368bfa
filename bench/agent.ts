// The credential agent's figures (BENCH_ONLY=agent runs only these): the real bundle on loopback
// with moto and the IMDSv2 double behind it, one service's credentials cached, then 100 concurrent
// clients asking for them over keep-alive connections. Latency is measured at the client (this
// process, on the same 2 cores as the agent), the agent's CPU from /proc/<pid>/stat and its memory
// from /proc/<pid>/status. Two loads: back to back (each client sends its next request as soon as
// the last is answered: the latency is then mostly queueing behind the other 99, about
// clients / throughput) and paced (each client one request every BENCH_AGENT_PACE_MS, default 50:
// 2000 requests/s in all). BENCH_AGENT_NODE runs the agent (and the floor) with another node
// binary (e.g. .tools/node-22/node_modules/.bin/node, the host's line), BENCH_AGENT_BUNDLE another
// build of the agent; BENCH_AGENT_NODE_FLAGS
// replaces the node flags the systemd unit gives it (a what-if: "" for none, "--lite-mode" ...);
// BENCH_AGENT_PIN=1 gives the servers and the clients a core each (cpuPin.ts).
// The floor (agentFloor.ts) is the same loads against a plain node HTTP server answering as many
// bytes: on a shared machine it says how much of the latency is the machine's, not the agent's.
import { execFileSync } from "child_process";

import { createServiceRoles } from "../lab/agentRoles";
import { startImds } from "../lab/imds";
import { region, startMoto } from "../lab/moto";
import { createHost } from "../lab/scenario";
import { agentNodeFlags } from "../contract/credentialAgentUnits";
import { floorMemory, startFloorServer } from "./agentFloor";
import { startBenchAgent } from "./agentProcess";
import { load, percentile } from "./agentLoad";
import { onClientCpu, pinned } from "./cpuPin";
import { cpuSeconds, describeMemory, memory, type Memory } from "./procStats";
import type { Figure } from "./table";

const clients = 100;
const perClient = Number(process.env.BENCH_AGENT_REQUESTS ?? 200);
const paceMs = Number(process.env.BENCH_AGENT_PACE_MS ?? 50);
export const agentNode = process.env.BENCH_AGENT_NODE ?? process.execPath;
export const nodeFlags =
    process.env.BENCH_AGENT_NODE_FLAGS === undefined
        ? [...agentNodeFlags]
        : process.env.BENCH_AGENT_NODE_FLAGS.split(" ").filter(Boolean);

/** One agent answer's body size, for the floor server to answer with as many bytes. */
async function answerBytes(url: string, token: string): Promise<number> {
    const res = await fetch(url, { headers: { authorization: token } });
    if (res.status !== 200) throw new Error(`agent: ${res.status}`);
    return (await res.arrayBuffer()).byteLength;
}

/** Both loads against one server: latency at the clients, CPU per answer of server and clients. */
async function loadFigures(label: string, url: string, token: string, pid: number) {
    const figures: Figure[] = [];
    for (const [name, pace] of [
        ["back to back", 0],
        [`paced, 1 per ${paceMs} ms per client`, paceMs],
    ] as const) {
        const serverBefore = cpuSeconds(pid);
        const clientsBefore = process.cpuUsage();
        const { latencies, seconds } = await onClientCpu(() =>
            load(url, token, { clients, perClient, pace }),
        );
        const serverUs = ((cpuSeconds(pid) - serverBefore) * 1e6) / latencies.length;
        const used = process.cpuUsage(clientsBefore);
        const clientsUs = (used.user + used.system) / latencies.length;
        const ms = (v: number) => `${v.toFixed(2)} ms`;
        const agent = label === "agent";
        figures.push(
            {
                what: `${label}, ${clients} clients ${name}: ${agent ? "cached credentials " : ""}p50 / p99`,
                value: `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
                target: agent ? "p99 ≤ 2 ms" : undefined,
            },
            {
                what: `${label}, ${clients} clients ${name}: requests/s; CPU per answer, server (the clients, this process)`,
                value: `${Math.round(latencies.length / seconds)}/s; ${serverUs.toFixed(0)} µs (${clientsUs.toFixed(0)} µs)`,
                target: agent ? "agent well under 1 ms" : undefined,
            },
        );
    }
    return figures;
}

export async function measureAgent(): Promise<Figure[]> {
    const moto = await startMoto();
    const host = await createHost(moto, "benchagent");
    const [service] = await createServiceRoles(moto, host, ["service-a"]);
    const imds = await startImds(host.hostRoleName, host.hostCredentials, region);
    const env = {
        PATH: process.env.PATH,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
        AWS_ENDPOINT_URL: moto.endpoint,
    };
    const agent = await startBenchAgent([service], region, env, nodeFlags, agentNode).catch(
        async (error: unknown) => {
            await imds.stop();
            await moto.stop();
            throw error;
        },
    );
    const token = agent.tokens[service.name];
    try {
        await new Promise((r) => setTimeout(r, 1000));
        const idle = memory(agent.pid);
        // The first request assumes the role; what follows is served from the cache.
        await load(agent.url, token, { clients, perClient, pace: 0 }).catch((error: Error) => {
            throw new Error(`${error.message}: ${agent.stderr()}`);
        });
        const figures = await loadFigures("agent", agent.url, token, agent.pid);
        const loaded = memory(agent.pid);
        let floorLoaded: Memory;
        const floorServer = await startFloorServer(
            agentNode,
            nodeFlags,
            await answerBytes(agent.url, token),
        );
        try {
            figures.push(...(await loadFigures("floor", floorServer.url, token, floorServer.pid)));
            floorLoaded = memory(floorServer.pid);
        } finally {
            await floorServer.stop();
        }
        const floor = await floorMemory(agentNode, nodeFlags);
        const version = execFileSync(agentNode, ["--version"], { encoding: "utf8" }).trim();
        const how = `node ${version}${nodeFlags.length ? ` ${nodeFlags.join(" ")}` : ""}${pinned ? "; agent on CPU 0, clients on CPU 1" : ""}`;
        figures.push(
            {
                what: `agent RSS idle / after the loads, peak (${how})`,
                value: `${describeMemory(idle)} / ${describeMemory(loaded)}, peak ${loaded.peak.toFixed(1)} MB`,
                target: "≤ 40 MB",
            },
            {
                what: `floor RSS: plain node with an HTTP server listening, idle / after the loads (${how})`,
                value: `${describeMemory(floor)} / ${describeMemory(floorLoaded)}`,
            },
        );
        if (agent.stderr().includes(token)) throw new Error("the agent printed its token");
        return figures;
    } finally {
        await agent.stop();
        await imds.stop();
        await moto.stop();
    }
}
