// The credential agent's figures (BENCH_ONLY=agent runs only these): the real bundle on loopback
// with moto and the IMDSv2 double behind it, one service's credentials cached, then 100 concurrent
// clients asking for them over keep-alive connections. Latency is measured at the client (this
// process, on the same 2 cores as the agent), the agent's CPU from /proc/<pid>/stat and its memory
// from /proc/<pid>/status. Two loads: back to back (each client sends its next request as soon as
// the last is answered: the latency is mostly queueing behind the other 99) and paced (each
// client one request every BENCH_AGENT_PACE_MS, default 50: 2000 requests/s in all).
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

import { createServiceRoles } from "../lab/agentRoles";
import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../lab/cleanup";
import { startImds } from "../lab/imds";
import { freePort } from "../lab/ports";
import { region, startMoto } from "../lab/moto";
import { createHost } from "../lab/scenario";

const clients = 100;
const perClient = Number(process.env.BENCH_AGENT_REQUESTS ?? 200);
const paceMs = Number(process.env.BENCH_AGENT_PACE_MS ?? 50);
const bundle = path.join(__dirname, "..", "dist", "credential-agent.js");
const ticksPerSecond = 100; // USER_HZ on Linux.
/** BENCH_AGENT_NODE_FLAGS: node flags for the agent (a what-if: --max-semi-space-size=1 ...). */
const nodeFlags = (process.env.BENCH_AGENT_NODE_FLAGS ?? "").split(" ").filter(Boolean);

export interface AgentFigure {
    what: string;
    value: string;
    target?: string;
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function cpuSeconds(pid: number): number {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function statusKb(pid: number, key: string): number {
    const line = fs
        .readFileSync(`/proc/${pid}/status`, "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${key}:`));
    return Number(/(\d+)/.exec(line ?? "")?.[1]);
}

async function load(
    port: number,
    token: string,
    pace: number,
): Promise<{ latencies: number[]; seconds: number }> {
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: clients });
    const once = () =>
        new Promise<number>((resolve, reject) => {
            const started = process.hrtime.bigint();
            const req = http.get(
                {
                    host: "127.0.0.1",
                    port,
                    path: "/v1/credentials",
                    headers: { authorization: token },
                    agent: keepAlive,
                },
                (res) => {
                    res.resume();
                    res.on("end", () => {
                        if (res.statusCode !== 200) reject(new Error(`agent: ${res.statusCode}`));
                        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
                    });
                },
            );
            req.on("error", reject);
        });
    const latencies: number[] = [];
    const started = Date.now();
    await Promise.all(
        Array.from({ length: clients }, async (_, i) => {
            // Paced clients start spread over one period, so that they do not arrive in step.
            if (pace > 0) await new Promise((r) => setTimeout(r, (i * pace) / clients));
            for (let n = 0; n < perClient; n++) {
                const begun = Date.now();
                latencies.push(await once());
                const rest = pace - (Date.now() - begun);
                if (rest > 0) await new Promise((r) => setTimeout(r, rest));
            }
        }),
    );
    keepAlive.destroy();
    return { latencies: latencies.sort((a, b) => a - b), seconds: (Date.now() - started) / 1000 };
}

/** What node alone holds, idle, with the same flags: the floor under the agent's RSS. */
async function plainNodeKb(): Promise<number> {
    const child = spawnGroup(
        process.execPath,
        [...nodeFlags, "-e", "setInterval(() => {}, 1000); console.log('up')"],
        { stdio: ["ignore", "pipe", "ignore"] },
    );
    await new Promise((r) => child.stdout!.once("data", r));
    const kb = statusKb(child.pid!, "VmRSS");
    await stopGroup(child);
    return kb;
}

export async function measureAgent(): Promise<AgentFigure[]> {
    const dir = makeTempDir("rolepair-bench-agent-");
    const moto = await startMoto();
    const host = await createHost(moto, "benchagent");
    const [service] = await createServiceRoles(moto, host, ["service-a"]);
    const imds = await startImds(host.hostRoleName, host.hostCredentials, region);
    const token = randomBytes(32).toString("base64url");
    const tokenFile = path.join(dir, "service-a.token");
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    const servicesFile = path.join(dir, "services.json");
    fs.writeFileSync(
        servicesFile,
        JSON.stringify({
            region,
            services: [
                {
                    name: service.name,
                    roleArn: service.roleArn,
                    externalId: service.externalId,
                    tokenFile,
                },
            ],
        }),
    );
    const port = await freePort();
    const agent = spawnGroup(
        process.execPath,
        [...nodeFlags, bundle, "--services", servicesFile, "--listen", `127.0.0.1:${port}`],
        {
            env: {
                PATH: process.env.PATH,
                HOME: dir,
                AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
                AWS_ENDPOINT_URL: moto.endpoint,
            },
            stdio: ["ignore", "ignore", "pipe"],
        },
    );
    let stderr = "";
    agent.stderr!.on("data", (c) => (stderr += c));
    try {
        const end = Date.now() + 30_000;
        while (!stderr.includes("listening on")) {
            if (agent.exitCode !== null || Date.now() > end)
                throw new Error(`the agent did not start: ${stderr}`);
            await new Promise((r) => setTimeout(r, 50));
        }
        const pid = agent.pid!;
        const idleKb = statusKb(pid, "VmRSS");
        // The first request assumes the role; what follows is served from the cache.
        await load(port, token, 0).catch((error: Error) => {
            throw new Error(`${error.message}: ${stderr}`);
        });
        const figures: AgentFigure[] = [];
        for (const [name, pace] of [
            ["back to back", 0],
            [`paced, 1 per ${paceMs} ms per client`, paceMs],
        ] as const) {
            const cpuBefore = cpuSeconds(pid);
            const { latencies, seconds } = await load(port, token, pace);
            const cpu = cpuSeconds(pid) - cpuBefore;
            const perRequestUs = (cpu * 1e6) / latencies.length;
            const ms = (v: number) => `${v.toFixed(2)} ms`;
            figures.push(
                {
                    what: `agent, ${clients} clients ${name}: cached credentials p50 / p99`,
                    value: `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
                    target: "p99 <= 2 ms",
                },
                {
                    what: `agent, ${clients} clients ${name}: requests/s, agent CPU per request`,
                    value: `${Math.round(latencies.length / seconds)}/s, ${perRequestUs.toFixed(0)} us`,
                    target: "well under 1 ms CPU",
                },
            );
        }
        const plainKb = await plainNodeKb();
        figures.push({
            what: `agent RSS idle / after the loads (VmRSS), peak (VmHWM)${nodeFlags.length ? ` (node ${nodeFlags.join(" ")})` : ""}; plain node idle`,
            value: `${(idleKb / 1024).toFixed(1)} MB / ${(statusKb(pid, "VmRSS") / 1024).toFixed(1)} MB, ${(statusKb(pid, "VmHWM") / 1024).toFixed(1)} MB; ${(plainKb / 1024).toFixed(1)} MB`,
            target: "<= 40 MB",
        });
        if (stderr.includes(token)) throw new Error("the agent printed its token");
        return figures;
    } finally {
        await stopGroup(agent);
        await imds.stop();
        await moto.stop();
        removeTempDir(dir);
    }
}
