// The real credential agent bundle (dist/credential-agent.js), with the unit's node flags, as a
// child process on 127.0.0.1: its services file and token files in a rolepair-* temp dir, its host
// credentials from the environment given (an IMDSv2 double, AWS at moto). Stopped with its
// process group.
import type { ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { agentNodeFlags } from "../../contract/credentialAgentUnits";
import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../../lab/cleanup";
import { freePort, waitForPort } from "../../lab/ports";

export const agentBundlePath = path.join(__dirname, "..", "..", "dist", "credential-agent.js");

export interface AgentService {
    name: string;
    roleArn: string;
}

export interface AgentProcess {
    /** The credentials URL verify's --agent-url takes. */
    url: string;
    /** The token files, one per service, named as the service: verify's --agent-token-dir. */
    tokenDir: string;
    tokens: Record<string, string>;
    stderr(): string;
    stop(): Promise<void>;
}

export async function startAgentProcess(
    services: readonly AgentService[],
    env: NodeJS.ProcessEnv,
    region: string,
): Promise<AgentProcess> {
    const dir = makeTempDir("rolepair-agentproc-");
    const tokenDir = path.join(dir, "tokens");
    fs.mkdirSync(tokenDir);
    const tokens: Record<string, string> = {};
    const entries = services.map((s) => {
        tokens[s.name] = randomBytes(32).toString("hex");
        const tokenFile = path.join(tokenDir, s.name);
        fs.writeFileSync(tokenFile, `${tokens[s.name]}\n`, { mode: 0o600 });
        return { name: s.name, roleArn: s.roleArn, tokenFile };
    });
    const servicesFile = path.join(dir, "services.json");
    fs.writeFileSync(servicesFile, JSON.stringify({ region, services: entries }));
    const port = await freePort();
    let stderr = "";
    const child: ChildProcess = spawnGroup(
        process.execPath,
        [
            ...agentNodeFlags,
            agentBundlePath,
            "--services",
            servicesFile,
            "--listen",
            `127.0.0.1:${port}`,
        ],
        { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.on("data", (d) => (stderr += d));
    const stop = async () => {
        await stopGroup(child);
        removeTempDir(dir);
    };
    // An agent that exits (a bad services file, an old node) fails the start at once.
    const exited = new Promise<never>((_resolve, reject) =>
        child.once("exit", (code) => reject(new Error(`the agent exited (${code})`))),
    );
    exited.catch(() => undefined);
    try {
        await Promise.race([waitForPort(port, 15_000), exited]);
    } catch (error) {
        await stop();
        throw new Error(`${(error as Error).message}; the agent said: ${stderr}`);
    }
    return {
        url: `http://127.0.0.1:${port}/v1/credentials`,
        tokenDir,
        tokens,
        stderr: () => stderr,
        stop,
    };
}
