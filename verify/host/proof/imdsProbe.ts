// The IMDS lock as this UID sees it: a PUT for an IMDSv2 token must get no HTTP answer at all (the
// lock drops or rejects the packets), so no process of this UID can have the host's credentials.
import * as http from "http";

import type { Outcome } from "./steps";

/** The metadata endpoint the SDK would use: AWS_EC2_METADATA_SERVICE_ENDPOINT, else the IPv4 one. */
export function imdsEndpoint(env: NodeJS.ProcessEnv = process.env): string {
    return (env.AWS_EC2_METADATA_SERVICE_ENDPOINT || "http://169.254.169.254").replace(/\/+$/, "");
}

/** Long enough for a reachable IMDS (it answers in a millisecond or two), short enough to wait. */
export const imdsProbeTimeoutMs = 1_500;

/**
 * PUT /latest/api/token. Any HTTP answer, whatever its status, means this UID reaches IMDS: a
 * failure. A refused, reset or silent connection (the lock's drop) is the expected outcome.
 */
export function expectImdsRefused(
    endpoint: string,
    timeoutMs: number = imdsProbeTimeoutMs,
): Promise<Outcome> {
    const uid = process.getuid?.() ?? "unknown";
    return new Promise((resolve) => {
        let settled = false;
        const done = (outcome: Outcome) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(outcome);
        };
        const started = performance.now();
        const url = new URL("/latest/api/token", endpoint);
        const req = http.request(url, {
            method: "PUT",
            headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
            agent: false,
        });
        const timer = setTimeout(() => {
            req.destroy();
            done({
                ok: true,
                observed: `no answer from ${endpoint} to UID ${uid} in ${timeoutMs} ms (dropped): IMDS refuses this UID`,
            });
        }, timeoutMs);
        req.on("response", (res) => {
            res.resume();
            req.destroy();
            done({
                ok: false,
                observed: `${endpoint} answered UID ${uid}'s token request with HTTP ${res.statusCode}`,
                diagnosis:
                    `UID ${uid} reaches the instance metadata service, so any process of it can take the host role's credentials ` +
                    "and assume every service's role: the IMDS lock is not loaded (check the rolepair-imds-lock unit and `nft list table inet rolepair_imds`).",
            });
        });
        req.on("error", (error: NodeJS.ErrnoException) => {
            const ms = Math.round(performance.now() - started);
            done({
                ok: true,
                observed: `${endpoint} refused UID ${uid}'s token request (${error.code ?? error.message}, ${ms} ms): IMDS refuses this UID`,
            });
        });
        req.end();
    });
}
