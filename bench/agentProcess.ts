// The real agent bundle (dist/credential-agent.js) as the bench runs it: a services file and one
// token file per service in a rolepair-* temp dir, node flags as asked, listening on loopback.
import type { ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../lab/cleanup";
import { freePort } from "../lab/ports";
import { onServerCpu } from "./cpuPin";

/** BENCH_AGENT_BUNDLE: another build of the agent (a what-if). */
export const agentBundle =
    process.env.BENCH_AGENT_BUNDLE ?? path.join(__dirname, "..", "dist", "credential-agent.js");

export interface BenchService {
    name: string;
    roleArn: string;
    externalId?: string;
}

export interface BenchAgent {
    pid: number;
    port: number;
    /** The credentials URL (verify's --agent-url). */
    url: string;
    /** The token files, each named as its service (verify's --agent-token-dir). */
    tokenDir: string;
    tokens: Record<string, string>;
    stderr(): string;
    stop(): Promise<void>;
}

export async function startBenchAgent(
    services: readonly BenchService[],
    region: string,
    env: NodeJS.ProcessEnv,
    nodeFlags: readonly string[] = [],
    node = process.execPath,
): Promise<BenchAgent> {
    const dir = makeTempDir("rolepair-bench-agent-");
    const tokenDir = path.join(dir, "tokens");
    fs.mkdirSync(tokenDir);
    const tokens: Record<string, string> = {};
    const entries = services.map((s) => {
        tokens[s.name] = randomBytes(32).toString("base64url");
        const tokenFile = path.join(tokenDir, s.name);
        fs.writeFileSync(tokenFile, tokens[s.name], { mode: 0o600 });
        return { name: s.name, roleArn: s.roleArn, externalId: s.externalId, tokenFile };
    });
    const servicesFile = path.join(dir, "services.json");
    fs.writeFileSync(servicesFile, JSON.stringify({ region, services: entries }));
    const port = await freePort();
    const child: ChildProcess = spawnGroup(
        ...onServerCpu(node, [
            ...nodeFlags,
            agentBundle,
            ...["--services", servicesFile, "--listen", `127.0.0.1:${port}`],
        ]),
        { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (c) => (stderr += c));
    const stop = async () => {
        await stopGroup(child);
        removeTempDir(dir);
    };
    const end = Date.now() + 30_000;
    while (!stderr.includes("listening on")) {
        if (child.exitCode !== null || Date.now() > end) {
            await stop();
            throw new Error(`the agent did not start: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    return {
        pid: child.pid!,
        port,
        url: `http://127.0.0.1:${port}/v1/credentials`,
        tokenDir,
        tokens,
        stderr: () => stderr,
        stop,
    };
}
