// A fault-injecting reverse proxy between the code under test and the emulator. Each request is
// forwarded unless the schedule says to fail it: throttling (STS `Throttling` 400, S3 `SlowDown`
// 503), 500 `InternalError`, a reset connection, added latency, or "IAM propagation" (AccessDenied
// to each role's first N AssumeRole requests).
//
// Reproducible: what happens to a request is drawn from (seed, the request's identity, how many
// requests of that identity came before it), never from arrival order or the clock, so a seed gives
// the same faults however the code under test interleaves its concurrent requests.
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
    /**
     * AssumeRole of each role answers AccessDenied to its first this many requests, as IAM does
     * until a new role or trust has propagated. A count, not a time: a time window would deny as
     * many attempts as backoff and machine load let into it.
     */
    propagationDenials: number;
}

export const noFaults: FaultSchedule = {
    faultRate: 0,
    kinds: faultKinds,
    maxConsecutive: 0,
    latencyMs: 0,
    propagationDenials: 0,
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

/** FNV-1a: a 32-bit hash of `text`, to seed a request's draws. */
function hash32(text: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
}

/**
 * The draws for one request: a stream seeded by (seed, identity, attempt), where attempt counts the
 * requests of that identity in the run (1 for the first, 2 for its first retry, ...).
 */
export function requestDraws(seed: number, identity: string, attempt: number): () => number {
    return seededRandom(hash32(`${seed}\n${identity}\n${attempt}`));
}

/** What the schedule does to one request, drawn from its own stream (see `requestDraws`). */
export interface Decision {
    latencyMs: number;
    /** Undefined: forwarded. */
    fault?: Fault;
}

/**
 * The decision for the `attempt`th request of `identity`, `inARow` being the faults that identity
 * has just had in a row (the cap applies). Every draw is made, used or not, in a fixed order.
 */
export function decide(schedule: FaultSchedule, draws: () => number, inARow: number): Decision {
    const [latency, failure, kind] = [draws(), draws(), draws()];
    const latencyMs = latency * schedule.latencyMs;
    if (inARow >= schedule.maxConsecutive || failure >= schedule.faultRate) return { latencyMs };
    return { latencyMs, fault: schedule.kinds[Math.floor(kind * schedule.kinds.length)] };
}

/**
 * Names that differ between fixtures of the same setup (a worker's bucket names, role ARNs) and
 * the stable names the draws are keyed on instead ("bucket of service-a"), so a seed draws the same
 * on any worker.
 */
export type StableNames = Readonly<Record<string, string>>;

/**
 * A request's identity: its operation, who signed it ("base" for the credentials the caller
 * started with, else the role session the proxy saw issued), the path and query with stable names
 * and the proof's random probe key replaced (`rolepair-verify/<probe>`: one probe per round trip),
 * and for AssumeRole the role asked for.
 */
export function requestIdentity(request: ProxiedRequest, stable: (text: string) => string): string {
    const path = stable(decodeURIComponent(request.url)).replace(
        /rolepair-verify\/[^/?&]*/g,
        "rolepair-verify/<probe>",
    );
    const signer = request.signer ?? "base";
    return [request.operation, signer, path, stable(request.roleArn ?? "")].join(" ");
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
    /** Each fault injected, as "<identity> #<attempt>: <fault>", in the order injected. */
    injected: string[];
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
    /** Who signed it: "base" (the credentials the caller started with) or "session of <role>". */
    signer?: string;
    /** The fault it was answered with; undefined: forwarded (or not answered yet). */
    fault?: Fault | "propagation";
}

export interface FaultProxy {
    endpoint: string;
    stats: ProxyStats;
    /**
     * Before a request is handled, waits for what `hold` returns (if anything): lets a test make
     * some requests finish after others, or gather several in flight. Undefined: no holding.
     */
    holdWith(hold: ((request: ProxiedRequest) => Promise<void> | undefined) | undefined): void;
    /**
     * Replaces the schedule, its seed and the stable names, and resets the statistics and the
     * per-identity counts. `seed` may be a random source (seededRandom(n)): its first draw is the seed.
     */
    reset(schedule: FaultSchedule, seed: number | (() => number), names?: StableNames): void;
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

function answerFault(
    fault: Fault,
    svc: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
) {
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
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
    const target = new URL(upstream);
    let schedule = noFaults;
    let seed = 0;
    let stable = (text: string) => text;
    /** Requests seen per identity, AssumeRole requests per role, faults in a row per identity. */
    const attempts = new Map<string, number>();
    const assumeRoles = new Map<string, number>();
    const consecutive = new Map<string, number>();
    /** Access key id → the role session it was issued for (seen in AssumeRole answers). */
    const sessions = new Map<string, string>();
    let hold: ((request: ProxiedRequest) => Promise<void> | undefined) | undefined;
    let inFlight = 0;
    const stats: ProxyStats = {
        requests: 0,
        peakInFlight: 0,
        answered: [],
        faults: { throttle: 0, "server-error": 0, reset: 0, propagation: 0 },
        forwarded: {},
        injected: [],
    };

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            const body = Buffer.concat(chunks);
            const svc = service(req);
            const operation = svc === "sts" ? `sts:${stsAction(body)}` : `${svc}:${req.method}`;
            const caller = /Credential=([^/]+)\//.exec(
                String(req.headers.authorization ?? ""),
            )?.[1];
            const roleArn =
                operation === "sts:AssumeRole"
                    ? /(?:^|&)RoleArn=([^&]+)/.exec(body.toString())?.[1]
                    : undefined;
            const seen: ProxiedRequest = {
                operation,
                method: req.method ?? "",
                url: req.url ?? "",
                caller,
                roleArn: roleArn && decodeURIComponent(roleArn),
            };
            // Keyed on what the request is, so concurrent callers (services proved at once) draw
            // and count their runs of faults apart, whatever order their requests arrive in.
            seen.signer = sessions.get(caller ?? "") ?? "base";
            const identity = requestIdentity(seen, stable);
            const attempt = (attempts.get(identity) ?? 0) + 1;
            attempts.set(identity, attempt);
            const inARow = consecutive.get(identity) ?? 0;
            const decision = decide(schedule, requestDraws(seed, identity, attempt), inARow);
            stats.requests++;
            stats.peakInFlight = Math.max(stats.peakInFlight, ++inFlight);
            res.on("close", () => {
                inFlight--;
                stats.answered.push(seen);
            });
            await hold?.(seen);
            if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));

            if (seen.roleArn !== undefined) {
                const asked = (assumeRoles.get(seen.roleArn) ?? 0) + 1;
                assumeRoles.set(seen.roleArn, asked);
                if (asked <= schedule.propagationDenials) {
                    seen.fault = "propagation";
                    stats.faults.propagation++;
                    stats.injected.push(`${identity} #${attempt}: propagation`);
                    res.writeHead(403, { "content-type": "text/xml" }).end(
                        xml(
                            "AccessDenied",
                            "User is not authorized to perform: sts:AssumeRole (propagating)",
                        ),
                    );
                    return;
                }
            }
            if (decision.fault) {
                consecutive.set(identity, inARow + 1);
                seen.fault = decision.fault;
                stats.faults[decision.fault]++;
                stats.injected.push(`${identity} #${attempt}: ${decision.fault}`);
                answerFault(decision.fault, svc, req, res);
                return;
            }
            consecutive.set(identity, 0);
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
                    if (seen.roleArn === undefined) {
                        upstreamRes.pipe(res);
                        return;
                    }
                    // An AssumeRole answer names the session's key before the caller can sign with it.
                    const answer: Buffer[] = [];
                    upstreamRes.on("data", (c: Buffer) => answer.push(c));
                    upstreamRes.on("end", () => {
                        const text = Buffer.concat(answer);
                        const issued = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text.toString());
                        if (issued) sessions.set(issued[1], `session of ${stable(seen.roleArn!)}`);
                        res.end(text);
                    });
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
        reset(next, nextSeed, names = {}) {
            schedule = next;
            seed = typeof nextSeed === "number" ? nextSeed : Math.floor(nextSeed() * 2 ** 32);
            // Longest first, so a name that contains another is replaced whole.
            const pairs = Object.entries(names).sort(([a], [b]) => b.length - a.length);
            stable = (text) => pairs.reduce((t, [name, label]) => t.split(name).join(label), text);
            attempts.clear();
            assumeRoles.clear();
            consecutive.clear();
            sessions.clear();
            stats.requests = 0;
            stats.peakInFlight = 0;
            stats.answered = [];
            stats.faults = { throttle: 0, "server-error": 0, reset: 0, propagation: 0 };
            stats.forwarded = {};
            stats.injected = [];
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
