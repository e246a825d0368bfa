// An agent in this process on 127.0.0.1 with a fake STS, its services file in a temp dir, and raw
// HTTP helpers for requests an SDK would never send.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { startAgent, RunningAgent } from "../../verify/host/agent/agent";
import type { RoleCredentials, RoleRequest } from "../../verify/host/agent/cache";

export interface Harness {
    agent: RunningAgent;
    dir: string;
    servicesFile: string;
    tokens: Record<string, string>;
    stsCalls: RoleRequest[];
    sts: { failing: boolean };
    logged: string[];
    /** Every secret handed out or configured, for the leak check. */
    secrets: string[];
    writeServices(names: string[], replaceToken?: Record<string, string>): void;
    close(): Promise<void>;
}

export const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

export async function startHarness(names: string[]): Promise<Harness> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-agent-unit-"));
    const servicesFile = path.join(dir, "services.json");
    const tokens: Record<string, string> = {};
    const secrets: string[] = [];
    const stsCalls: RoleRequest[] = [];
    const sts = { failing: false };
    const logged: string[] = [];
    const writeServices = (list: string[]) => {
        const services = list.map((name) => {
            if (tokens[name] === undefined) {
                tokens[name] = randomBytes(24).toString("base64url");
                secrets.push(tokens[name]);
            }
            const tokenFile = path.join(dir, `${name}.token`);
            fs.writeFileSync(tokenFile, tokens[name]);
            return { name, roleArn: roleArn(name), tokenFile };
        });
        const temp = `${servicesFile}.tmp`;
        fs.writeFileSync(temp, JSON.stringify({ region: "us-east-1", services }));
        fs.renameSync(temp, servicesFile);
    };
    writeServices(names);
    let n = 0;
    const agent = await startAgent({
        servicesFile,
        host: "127.0.0.1",
        port: 0,
        log: (line) => logged.push(line),
        assumeRoleFor:
            () =>
            async (request): Promise<RoleCredentials> => {
                stsCalls.push(request);
                if (sts.failing)
                    throw Object.assign(new Error("down"), { name: "ServiceUnavailable" });
                n++;
                const c = {
                    accessKeyId: `ASIA${request.name.toUpperCase().replace(/-/g, "")}${n}`,
                    secretAccessKey: randomBytes(20).toString("base64"),
                    sessionToken: randomBytes(40).toString("base64"),
                    expiration: new Date(Date.now() + 3600_000),
                };
                secrets.push(c.secretAccessKey, c.sessionToken);
                return c;
            },
    });
    return {
        agent,
        dir,
        servicesFile,
        tokens,
        stsCalls,
        sts,
        logged,
        secrets,
        writeServices,
        close: async () => {
            await agent.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

export interface Answer {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** GET (or `method`) `urlPath` with these headers (repeated names as arrays). */
export function request(
    agent: RunningAgent,
    urlPath: string,
    headers: http.OutgoingHttpHeaders = {},
    method = "GET",
): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port: agent.address.port,
                path: urlPath,
                method,
                headers,
                agent: false,
            },
            (res) => {
                let body = "";
                res.on("data", (c) => (body += c));
                res.on("end", () =>
                    resolve({ status: res.statusCode!, headers: res.headers, body }),
                );
            },
        );
        req.on("error", reject);
        req.end();
    });
}

/** Sends raw bytes and returns what came back before the agent closed (or 2 s passed). */
export function raw(agent: RunningAgent, bytes: string | Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(agent.address.port, "127.0.0.1");
        let got = "";
        const timer = setTimeout(() => socket.destroy(), 2000);
        socket.on("data", (c) => (got += c.toString()));
        socket.on("close", () => {
            clearTimeout(timer);
            resolve(got);
        });
        socket.on("error", (error) => {
            if ((error as NodeJS.ErrnoException).code === "ECONNRESET") return;
            reject(error);
        });
        socket.write(bytes);
    });
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function eventually(
    check: () => Promise<boolean> | boolean,
    ms = 5000,
): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
        if (Date.now() > end) throw new Error("condition not met in time");
        await new Promise((r) => setTimeout(r, 50));
    }
}
