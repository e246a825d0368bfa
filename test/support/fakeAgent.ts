// A credential agent double for the proof's unit tests: an HTTP server on 127.0.0.1 that answers
// each service's token with a session of the stubbed account (fakeAws.ts), its token files in a
// rolepair-* temp dir. `misbehave` lets a test make it answer what a broken agent would.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import type { VerifyTarget } from "../../contract/plan";
import type { FakeAccount } from "./fakeAws";

export interface AgentAsk {
    url: string;
    headers: http.IncomingHttpHeaders;
    /** The service whose token came, if any. */
    service?: string;
}

/** What the agent answers; undefined lets the honest answer through. */
export type Misbehaviour = (ask: AgentAsk) => { status: number; service?: string } | undefined;

export interface FakeAgent {
    url: string;
    tokenDir: string;
    tokens: Record<string, string>;
    asks: AgentAsk[];
    misbehave?: Misbehaviour;
    /** How long the credentials it hands out live, from now (negative: already expired). */
    lifetimeMs: number;
    close(): Promise<void>;
}

const credentialsPath = "/v1/credentials";

export async function startFakeAgent(
    aws: FakeAccount,
    targets: readonly VerifyTarget[],
): Promise<FakeAgent> {
    const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-fakeagent-"));
    const tokens: Record<string, string> = {};
    for (const t of targets) {
        tokens[t.name] = randomBytes(24).toString("base64url");
        fs.writeFileSync(path.join(tokenDir, t.profile ?? t.name), `${tokens[t.name]}\n`);
    }
    const roleOf = new Map(targets.map((t) => [t.name, t.roleArn]));
    // One session per service, as a caching agent hands out.
    const sessions = new Map<string, string>();
    const credentialsOf = (service: string) => {
        let key = sessions.get(service);
        if (key === undefined) {
            key = aws.issueSession(roleOf.get(service)!, `agent-${service}`).accessKeyId;
            sessions.set(service, key);
        }
        return {
            AccessKeyId: key,
            SecretAccessKey: "agent-secret",
            Token: "agent-session-token",
            Expiration: new Date(Date.now() + agent.lifetimeMs).toISOString(),
        };
    };
    const agent: FakeAgent = {
        url: "",
        tokenDir,
        tokens,
        asks: [],
        lifetimeMs: 3600_000,
        close: async () => {
            await new Promise((resolve) => server.close(resolve));
            fs.rmSync(tokenDir, { recursive: true, force: true });
        },
    };
    const server = http.createServer((req, res) => {
        const auth = req.headers.authorization;
        const service = Object.keys(tokens).find((name) => tokens[name] === auth);
        const ask: AgentAsk = { url: req.url ?? "", headers: req.headers, service };
        agent.asks.push(ask);
        const send = (status: number, body: object) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const forced = agent.misbehave?.(ask);
        if (forced !== undefined) {
            if (forced.service === undefined) send(forced.status, { code: "Forced", message: "x" });
            else send(forced.status, credentialsOf(forced.service));
            return;
        }
        if (ask.url !== credentialsPath) return send(404, { code: "NotFound", message: "no" });
        if (auth === undefined) return send(401, { code: "NoToken", message: "no token" });
        if (service === undefined) return send(403, { code: "UnknownToken", message: "no" });
        send(200, credentialsOf(service));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    agent.url = `http://127.0.0.1:${port}${credentialsPath}`;
    return agent;
}

/** A loopback port nothing listens on: connections to it are refused, as the IMDS lock rejects. */
export async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}
