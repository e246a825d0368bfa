// The bench's latency model: a concurrent stand-in for STS and S3 that answers every request after
// a fixed added latency, serving all requests at once, as AWS does. moto serves one request at a
// time, so it cannot show what concurrency buys; this double can, and nothing else: it does not
// check signatures or policies. What it enforces is what verify's checks observe: the host's
// credentials may call GetCallerIdentity and AssumeRole into the plan's roles and are denied every
// bucket; a role's session reaches its own bucket only (put, list, get, delete) and is denied the
// others. It records when each request arrived and was answered, for the round-trip depth.
import { randomBytes } from "crypto";
import * as http from "http";

import { modelAccount } from "./modelPlan";

export interface ModelRequest {
    operation: string;
    arrivedMs: number;
    answeredMs: number;
}

export interface AwsDouble {
    endpoint: string;
    /** The host's own access key id: an instance-profile session of `hostRoleName`. */
    hostAccessKeyId: string;
    /** Every request since the last reset, in arrival order. */
    requests: ModelRequest[];
    /** Roles the host may assume, each with the one bucket its sessions reach. */
    setRoles(roles: { roleArn: string; bucket: string }[]): void;
    reset(): void;
    stop(): Promise<void>;
}

export interface AwsDoubleOptions {
    /** Added to every request between its arrival and its answer. */
    latencyMs: number;
    hostRoleName: string;
}

interface Principal {
    /** The ARN GetCallerIdentity answers. */
    arn: string;
    /** The bucket this principal's role reaches; none for the host. */
    bucket?: string;
}

const stsNs = "https://sts.amazonaws.com/doc/2011-06-15/";
const s3Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

const escapeXml = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function accessKeyIdOf(req: http.IncomingMessage): string | undefined {
    return /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
}

function serviceOf(req: http.IncomingMessage): string | undefined {
    return /Credential=[^/]+\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/.exec(
        String(req.headers.authorization ?? ""),
    )?.[1];
}

interface Answer {
    status: number;
    body?: string;
    headers?: Record<string, string>;
}

const stsError = (status: number, code: string, message: string): Answer => ({
    status,
    headers: { "content-type": "text/xml" },
    body: `<ErrorResponse xmlns="${stsNs}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>model</RequestId></ErrorResponse>`,
});

const s3Error = (status: number, code: string, message: string): Answer => ({
    status,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>model</RequestId></Error>`,
});

export async function startAwsDouble(options: AwsDoubleOptions): Promise<AwsDouble> {
    const hostAccessKeyId = `ASIAMODELHOST${randomBytes(4).toString("hex").toUpperCase()}`;
    const principals = new Map<string, Principal>([
        [
            hostAccessKeyId,
            {
                arn: `arn:aws:sts::${modelAccount}:assumed-role/${options.hostRoleName}/i-0model0000000000`,
            },
        ],
    ]);
    let roles = new Map<string, string>();
    /** bucket → key → body */
    const objects = new Map<string, Map<string, string>>();
    const requests: ModelRequest[] = [];
    let sessions = 0;

    const sts = (caller: Principal, form: URLSearchParams): Answer => {
        const action = form.get("Action");
        if (action === "GetCallerIdentity") {
            return {
                status: 200,
                headers: { "content-type": "text/xml" },
                body: `<GetCallerIdentityResponse xmlns="${stsNs}"><GetCallerIdentityResult><Arn>${escapeXml(caller.arn)}</Arn><UserId>AROAMODEL:model</UserId><Account>${modelAccount}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>model</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
            };
        }
        if (action !== "AssumeRole") return stsError(400, "InvalidAction", `${action}`);
        const roleArn = form.get("RoleArn") ?? "";
        const sessionName = form.get("RoleSessionName") ?? "";
        const bucket = roles.get(roleArn);
        if (caller.bucket !== undefined || bucket === undefined) {
            return stsError(
                403,
                "AccessDenied",
                `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            );
        }
        const accessKeyId = `ASIAMODEL${String(++sessions).padStart(11, "0")}`;
        const arn = `arn:aws:sts::${modelAccount}:assumed-role/${roleArn.split("/").pop()}/${sessionName}`;
        principals.set(accessKeyId, { arn, bucket });
        const seconds = Number(form.get("DurationSeconds") ?? 3600);
        const expiration = new Date(Date.now() + seconds * 1000).toISOString();
        return {
            status: 200,
            headers: { "content-type": "text/xml" },
            body:
                `<AssumeRoleResponse xmlns="${stsNs}"><AssumeRoleResult><Credentials>` +
                `<AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>model-secret-not-a-secret</SecretAccessKey>` +
                `<SessionToken>model-token-${accessKeyId}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
                `<AssumedRoleUser><Arn>${escapeXml(arn)}</Arn><AssumedRoleId>AROAMODEL:${escapeXml(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
                `</AssumeRoleResult><ResponseMetadata><RequestId>model</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        };
    };

    const s3 = (caller: Principal, method: string, url: URL, body: string): Answer => {
        const [, bucket, ...rest] = url.pathname.split("/");
        const key = decodeURIComponent(rest.join("/"));
        if (caller.bucket !== bucket) return s3Error(403, "AccessDenied", "Access Denied");
        const stored = objects.get(bucket) ?? new Map<string, string>();
        objects.set(bucket, stored);
        if (method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
            const prefix = url.searchParams.get("prefix") ?? "";
            const maxKeys = Number(url.searchParams.get("max-keys") ?? 1000);
            const keys = [...stored.keys()].filter((k) => k.startsWith(prefix)).sort();
            const page = keys.slice(0, maxKeys);
            const contents = page
                .map(
                    (k) =>
                        `<Contents><Key>${escapeXml(k)}</Key><LastModified>${new Date().toISOString()}</LastModified><ETag>"model"</ETag><Size>${stored.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
                )
                .join("");
            return {
                status: 200,
                headers: { "content-type": "application/xml" },
                body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="${s3Ns}"><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${keys.length > page.length}</IsTruncated>${contents}</ListBucketResult>`,
            };
        }
        if (key === "") return s3Error(400, "InvalidRequest", `${method} on a bucket`);
        if (method === "PUT") {
            stored.set(key, body);
            return { status: 200, headers: { etag: '"model"' } };
        }
        if (method === "GET") {
            const object = stored.get(key);
            if (object === undefined)
                return s3Error(404, "NoSuchKey", "The specified key does not exist.");
            return {
                status: 200,
                headers: {
                    "content-type": "text/plain",
                    "content-length": String(Buffer.byteLength(object)),
                },
                body: object,
            };
        }
        if (method === "DELETE") {
            stored.delete(key);
            return { status: 204 };
        }
        return s3Error(405, "MethodNotAllowed", method);
    };

    const server = http.createServer((req, res) => {
        const arrivedMs = performance.now();
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            const url = new URL(req.url ?? "/", "http://model");
            const service = serviceOf(req);
            const caller = principals.get(accessKeyIdOf(req) ?? "");
            const form = new URLSearchParams(body);
            const operation =
                service === "sts" ? `sts:${form.get("Action")}` : `${service}:${req.method}`;
            let answer: Answer;
            if (caller === undefined) {
                answer = (service === "sts" ? stsError : s3Error)(
                    403,
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                );
            } else if (service === "sts") {
                answer = sts(caller, form);
            } else {
                answer = s3(caller, req.method ?? "GET", url, body);
            }
            setTimeout(() => {
                res.writeHead(answer.status, answer.headers).end(answer.body);
                requests.push({ operation, arrivedMs, answeredMs: performance.now() });
            }, options.latencyMs);
        });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return {
        endpoint: `http://127.0.0.1:${port}`,
        hostAccessKeyId,
        requests,
        setRoles(next) {
            roles = new Map(next.map((r) => [r.roleArn, r.bucket]));
        },
        reset() {
            requests.splice(0);
            objects.clear();
            for (const id of principals.keys()) if (id !== hostAccessKeyId) principals.delete(id);
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/**
 * Round trips on the longest chain: a request is one deeper than the deepest request answered
 * before it arrived. With a fixed latency per request, depth × latency is the time the chain takes.
 */
export function roundTripDepth(requests: readonly ModelRequest[]): number {
    const byArrival = [...requests].sort((a, b) => a.arrivedMs - b.arrivedMs);
    const depths: number[] = [];
    let deepest = 0;
    byArrival.forEach((r, i) => {
        let before = 0;
        for (let j = 0; j < i; j++) {
            if (byArrival[j].answeredMs <= r.arrivedMs) before = Math.max(before, depths[j]);
        }
        depths.push(before + 1);
        deepest = Math.max(deepest, before + 1);
    });
    return deepest;
}
