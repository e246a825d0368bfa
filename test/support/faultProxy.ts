// A fault-injecting reverse proxy between the code under test and the emulator. Each request is
// forwarded unless the schedule says to fail it: throttling (STS `Throttling` 400, S3 `SlowDown`
// 503), 500 `InternalError`, a reset connection, added latency, or "IAM propagation" (AccessDenied
// on AssumeRole for the first N milliseconds).
import * as http from "http";

export type Fault = "throttle" | "server-error" | "reset";
export const faultKinds: readonly Fault[] = ["throttle", "server-error", "reset"];

export interface FaultSchedule {
    /** Probability that a request is failed (before the per-key cap). */
    faultRate: number;
    kinds: readonly Fault[];
    /**
     * At most this many faults in a row for the same operation; the next attempt goes through.
     * The SDK makes 4 attempts, so a cap of 3 stays within the retry budget; Infinity does not.
     */
    maxConsecutive: number;
    /** Extra delay on every request, uniformly drawn from [0, latencyMs]. */
    latencyMs: number;
    /** AssumeRole answers AccessDenied until this long after the first AssumeRole. */
    propagationMs: number;
}

export const noFaults: FaultSchedule = {
    faultRate: 0,
    kinds: faultKinds,
    maxConsecutive: 0,
    latencyMs: 0,
    propagationMs: 0,
};

/** mulberry32: a small seeded PRNG, so a failing schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export interface ProxyStats {
    requests: number;
    /** The most requests the proxy held at once (arrived, not yet answered). */
    peakInFlight: number;
    /** Every request, in the order its answer was sent (or its connection dropped). */
    answered: ProxiedRequest[];
    faults: Record<Fault | "propagation", number>;
    /** Forwarded (not faulted) requests by operation, e.g. "sts:AssumeRole", "s3:PUT". */
    forwarded: Record<string, number>;
}

/** A request as the proxy saw it, for tests that hold requests back or check completion order. */
export interface ProxiedRequest {
    /** "sts:AssumeRole", "s3:GET", ... */
    operation: string;
    method: string;
    /** Path and query, as sent (path-style S3: /bucket/key?query). */
    url: string;
    /** The access key id that signed it. */
    caller?: string;
    /** For AssumeRole, the role asked for. */
    roleArn?: string;
}

export interface FaultProxy {
    endpoint: string;
    stats: ProxyStats;
    /**
     * Before a request is handled, waits for what `hold` returns (if anything): lets a test make
     * some requests finish after others, or gather several in flight. Undefined: no holding.
     */
    holdWith(hold: ((request: ProxiedRequest) => Promise<void> | undefined) | undefined): void;
    /** Replaces the schedule and its random source, and resets the statistics. */
    reset(schedule: FaultSchedule, random: () => number): void;
    stop(): Promise<void>;
}

function service(req: http.IncomingMessage): "sts" | "s3" | "other" {
    const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/.exec(
        String(req.headers.authorization ?? ""),
    );
    return match?.[1] === "sts" ? "sts" : match?.[1] === "s3" ? "s3" : "other";
}

function stsAction(body: Buffer): string {
    return /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString())?.[1] ?? "Unknown";
}

const xml = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
const s3Xml = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
    const target = new URL(upstream);
    let schedule = noFaults;
    let random = Math.random;
    let firstAssumeRoleAt: number | undefined;
    const consecutive = new Map<string, number>();
    let hold: ((request: ProxiedRequest) => Promise<void> | undefined) | undefined;
    let inFlight = 0;
    const stats: ProxyStats = {
        requests: 0,
        peakInFlight: 0,
        answered: [],
        faults: { throttle: 0, "server-error": 0, reset: 0, propagation: 0 },
        forwarded: {},
    };

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            const body = Buffer.concat(chunks);
            const svc = service(req);
            const operation = svc === "sts" ? `sts:${stsAction(body)}` : `${svc}:${req.method}`;
            // "In a row" is per caller: concurrent callers (services proved at once) of the same
            // operation must not reset or extend each other's run of faults.
            const caller = /Credential=([^/]+)\//.exec(
                String(req.headers.authorization ?? ""),
            )?.[1];
            const roleArn =
                operation === "sts:AssumeRole"
                    ? /(?:^|&)RoleArn=([^&]+)/.exec(body.toString())?.[1]
                    : undefined;
            const key = `${operation} ${req.url} ${caller ?? ""} ${roleArn ?? ""}`;
            const seen: ProxiedRequest = {
                operation,
                method: req.method ?? "",
                url: req.url ?? "",
                caller,
                roleArn: roleArn && decodeURIComponent(roleArn),
            };
            stats.requests++;
            stats.peakInFlight = Math.max(stats.peakInFlight, ++inFlight);
            res.on("close", () => {
                inFlight--;
                stats.answered.push(seen);
            });
            await hold?.(seen);
            if (schedule.latencyMs > 0)
                await new Promise((r) => setTimeout(r, random() * schedule.latencyMs));

            if (operation === "sts:AssumeRole") {
                firstAssumeRoleAt ??= Date.now();
                if (Date.now() - firstAssumeRoleAt < schedule.propagationMs) {
                    stats.faults.propagation++;
                    res.writeHead(403, { "content-type": "text/xml" }).end(
                        xml(
                            "AccessDenied",
                            "User is not authorized to perform: sts:AssumeRole (propagating)",
                        ),
                    );
                    return;
                }
            }
            const inARow = consecutive.get(key) ?? 0;
            if (inARow < schedule.maxConsecutive && random() < schedule.faultRate) {
                consecutive.set(key, inARow + 1);
                const fault = schedule.kinds[Math.floor(random() * schedule.kinds.length)];
                stats.faults[fault]++;
                if (fault === "reset") {
                    req.socket.destroy();
                } else if (fault === "throttle") {
                    if (svc === "s3")
                        res.writeHead(503, { "content-type": "application/xml" }).end(
                            s3Xml("SlowDown", "Please reduce your request rate."),
                        );
                    else
                        res.writeHead(400, { "content-type": "text/xml" }).end(
                            xml("Throttling", "Rate exceeded"),
                        );
                } else {
                    const payload =
                        svc === "s3"
                            ? s3Xml("InternalError", "We encountered an internal error.")
                            : xml("InternalFailure", "Internal failure");
                    res.writeHead(500, { "content-type": "text/xml" }).end(payload);
                }
                return;
            }
            consecutive.set(key, 0);
            stats.forwarded[operation] = (stats.forwarded[operation] ?? 0) + 1;
            const upstreamReq = http.request(
                {
                    host: target.hostname,
                    port: target.port,
                    method: req.method,
                    path: req.url,
                    headers: req.headers,
                },
                (upstreamRes) => {
                    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
                    upstreamRes.pipe(res);
                },
            );
            upstreamReq.on("error", () => req.socket.destroy());
            upstreamReq.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return {
        endpoint: `http://127.0.0.1:${port}`,
        stats,
        reset(next, nextRandom) {
            schedule = next;
            random = nextRandom;
            firstAssumeRoleAt = undefined;
            consecutive.clear();
            stats.requests = 0;
            stats.peakInFlight = 0;
            stats.answered = [];
            stats.faults = { throttle: 0, "server-error": 0, reset: 0, propagation: 0 };
            stats.forwarded = {};
        },
        holdWith(next) {
            hold = next;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
