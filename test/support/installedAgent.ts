// The credential agent as the sync installed it into a stand-in root, run by hand as its user
// (setpriv; no systemd here) with the unit's node flags, on a loopback port, with the IMDSv2
// double and moto's STS; and the raw requests a test makes of it.
import { ChildProcess } from "child_process";
import * as http from "http";
import * as path from "path";

import { agentProgramPath, agentServicesFile } from "../../contract/credentialAgent";
import { agentNodeFlags } from "../../contract/credentialAgentUnits";
import { spawnGroup } from "../../lab/cleanup";
import { freePort } from "../../lab/ports";
import { accountEntry } from "./localAccounts";

export interface InstalledAgent {
    port: number;
    process: ChildProcess;
    /** What it wrote to stdout and stderr (checked for secrets). */
    log: string[];
}

/** Starts root/agentProgramPath --services root/agentServicesFile as `user`. */
export async function startInstalledAgent(
    root: string,
    user: string,
    env: { imdsEndpoint: string; awsEndpoint: string },
): Promise<InstalledAgent> {
    const entry = accountEntry("passwd", user);
    if (entry === undefined) throw new Error(`no user ${user}: the sync should have made it`);
    const port = await freePort();
    const child = spawnGroup(
        "setpriv",
        [
            `--reuid=${entry[2]}`,
            `--regid=${entry[3]}`,
            "--clear-groups",
            process.execPath,
            ...agentNodeFlags,
            path.join(root, agentProgramPath),
            "--services",
            path.join(root, agentServicesFile),
            "--listen",
            `127.0.0.1:${port}`,
        ],
        {
            env: {
                PATH: process.env.PATH,
                AWS_EC2_METADATA_SERVICE_ENDPOINT: env.imdsEndpoint,
                AWS_ENDPOINT_URL: env.awsEndpoint,
                AWS_CONFIG_FILE: "/dev/null",
                AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
            },
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    const log: string[] = [];
    child.stdout?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    return { port, process: child, log };
}

/** GET /v1/credentials with `headers`; the status and the body. */
export function getCredentials(port: number, headers: Record<string, string>) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.get(
            { host: "127.0.0.1", port, path: "/v1/credentials", headers, timeout: 10_000 },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => (body += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            },
        );
        request.on("error", reject);
    });
}

/**
 * `check` again every 100 ms until it gives a value (errors count as not yet), for 60 s: the
 * agent's first answer (node's start, IMDS, AssumeRole on moto) took over 15 s at load 12.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch {
            // Not yet (the agent is starting).
        }
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
