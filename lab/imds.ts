// An IMDSv2 test double: serves one role's credentials the way EC2's instance metadata service
// does, and only to callers that first PUT for a session token (IMDSv1 requests get 401).
//
// Why a double: moto's own IMDS endpoint serves fixed credentials that are not bound to any role,
// so it cannot stand in for an instance profile under IAM enforcement.
import * as http from "http";
import { randomBytes } from "crypto";

import type { StaticCredentials } from "./moto";

export interface Imds {
    endpoint: string;
    /** Requests refused for lacking a token: must stay 0 for an IMDSv2-only client. */
    v1Refused: number;
    credentialRequests: number;
    /** Requests (with a token) for /latest/meta-data/placement/region. */
    regionRequests: number;
    stop(): Promise<void>;
}

/**
 * `region` is what /latest/meta-data/placement/region answers (EC2's own region lookup); without
 * it that path is 404, as off EC2 nothing answers at all. `listen`: where to bind (default
 * 127.0.0.1 on a free port; the agent's namespace tests bind 169.254.169.254:80 as EC2 does).
 */
export async function startImds(
    roleName: string,
    credentials: StaticCredentials,
    region?: string,
    listen: { host: string; port: number } = { host: "127.0.0.1", port: 0 },
): Promise<Imds> {
    const tokens = new Set<string>();
    const state = { v1Refused: 0, credentialRequests: 0, regionRequests: 0 };
    const server = http.createServer((req, res) => {
        if (req.method === "PUT" && req.url === "/latest/api/token") {
            if (!req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) {
                res.writeHead(400).end();
                return;
            }
            const token = randomBytes(24).toString("base64url");
            tokens.add(token);
            res.writeHead(200, { "content-type": "text/plain" }).end(token);
            return;
        }
        const token = req.headers["x-aws-ec2-metadata-token"];
        if (typeof token !== "string" || !tokens.has(token)) {
            state.v1Refused++;
            res.writeHead(401).end();
            return;
        }
        const base = "/latest/meta-data/iam/security-credentials/";
        if (req.url === "/latest/meta-data/placement/region" && region !== undefined) {
            state.regionRequests++;
            res.writeHead(200, { "content-type": "text/plain" }).end(region);
        } else if (req.url === base) {
            res.writeHead(200, { "content-type": "text/plain" }).end(roleName);
        } else if (req.url === `${base}${roleName}`) {
            state.credentialRequests++;
            res.writeHead(200, { "content-type": "application/json" }).end(
                JSON.stringify({
                    Code: "Success",
                    LastUpdated: new Date().toISOString(),
                    Type: "AWS-HMAC",
                    AccessKeyId: credentials.accessKeyId,
                    SecretAccessKey: credentials.secretAccessKey,
                    Token: credentials.sessionToken,
                    Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
                }),
            );
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise<void>((resolve) => server.listen(listen.port, listen.host, resolve));
    const { port } = server.address() as { port: number };
    return {
        endpoint: `http://${listen.host}:${port}`,
        get v1Refused() {
            return state.v1Refused;
        },
        get credentialRequests() {
            return state.credentialRequests;
        },
        get regionRequests() {
            return state.regionRequests;
        },
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** The IMDSv2 doubles a suite starts, one per host it simulates; all stopped together after it. */
export class ImdsDoubles {
    private readonly started: Imds[] = [];

    /** A double serving the host role's credentials (`region`: as startImds). */
    async start(
        host: { hostRoleName: string; hostCredentials: StaticCredentials },
        region?: string,
    ): Promise<Imds> {
        const imds = await startImds(host.hostRoleName, host.hostCredentials, region);
        this.started.push(imds);
        return imds;
    }

    /** How many were started. */
    get count(): number {
        return this.started.length;
    }

    async stopAll(): Promise<void> {
        await Promise.all(this.started.map((imds) => imds.stop()));
    }
}
