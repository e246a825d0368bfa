// The load on the agent: `clients` concurrent clients on keep-alive connections, each asking for
// its credentials `perClient` times, back to back (pace 0) or one request every `pace` ms. The
// latency is measured here, at the client.
import * as http from "http";

export interface LoadResult {
    /** Each request's latency in ms, sorted. */
    latencies: number[];
    seconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function load(
    url: string,
    token: string,
    options: { clients: number; perClient: number; pace: number },
): Promise<LoadResult> {
    const { clients, perClient, pace } = options;
    const { hostname, port, pathname } = new URL(url);
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: clients });
    const once = () =>
        new Promise<number>((resolve, reject) => {
            const started = process.hrtime.bigint();
            const req = http.get(
                {
                    host: hostname,
                    port,
                    path: pathname,
                    headers: { authorization: token },
                    agent: keepAlive,
                },
                (res) => {
                    res.resume();
                    res.on("end", () => {
                        if (res.statusCode !== 200) reject(new Error(`agent: ${res.statusCode}`));
                        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
                    });
                },
            );
            req.on("error", reject);
        });
    const latencies: number[] = [];
    const started = Date.now();
    await Promise.all(
        Array.from({ length: clients }, async (_, i) => {
            // Paced clients start spread over one period, so that they do not arrive in step.
            if (pace > 0) await new Promise((r) => setTimeout(r, (i * pace) / clients));
            for (let n = 0; n < perClient; n++) {
                const begun = Date.now();
                latencies.push(await once());
                const rest = pace - (Date.now() - begun);
                if (rest > 0) await new Promise((r) => setTimeout(r, rest));
            }
        }),
    );
    keepAlive.destroy();
    return { latencies: latencies.sort((a, b) => a - b), seconds: (Date.now() - started) / 1000 };
}
