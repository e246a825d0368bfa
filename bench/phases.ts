// Where one verify run's time went, from its trace (trace.ts): node's start, the bundle, the
// credential chain, the proof's requests, the exit.
import { median } from "./stats";
import { ms } from "./table";
import type { Trace } from "./trace";

export interface Phases {
    /** Node's own start, before any script runs. */
    node: number;
    /** Parsing and evaluating dist/verify.js (includes the CLI's synchronous start). */
    bundle: number;
    /** Bundle evaluated → first request sent (client and credential provider set-up). */
    toFirstRequest: number;
    /** IMDS token, role name and credentials (the instance-profile credential chain). */
    imds: number;
    /** First AWS request sent → last AWS response (the proof itself). */
    proof: number;
    /** Last response → process exit. */
    exit: number;
    awsRequests: number;
    /** Median time one AWS request took against moto. */
    perRequest: number;
}

export function phases(t: Trace, imdsHost: string): Phases {
    const imds = t.requests.filter((r) => r.host === imdsHost);
    const awsReqs = t.requests.filter((r) => r.host !== imdsHost);
    const first = Math.min(...t.requests.map((r) => r.startMs));
    const awsFirst = Math.min(...awsReqs.map((r) => r.startMs));
    const awsLast = Math.max(...awsReqs.map((r) => r.endMs));
    return {
        node: t.preloadMs,
        bundle: t.bundleLoadEndMs - t.bundleLoadStartMs,
        toFirstRequest: first - t.bundleLoadEndMs,
        imds: Math.max(...imds.map((r) => r.endMs)) - Math.min(...imds.map((r) => r.startMs)),
        proof: awsLast - awsFirst,
        exit: t.exitMs - awsLast,
        awsRequests: awsReqs.length,
        perRequest: median(awsReqs.map((r) => r.endMs - r.startMs)),
    };
}

export function medianPhases(all: Phases[]): Phases {
    const pick = (k: keyof Phases) => median(all.map((p) => p[k]));
    return {
        node: pick("node"),
        bundle: pick("bundle"),
        toFirstRequest: pick("toFirstRequest"),
        imds: pick("imds"),
        proof: pick("proof"),
        exit: pick("exit"),
        awsRequests: pick("awsRequests"),
        perRequest: pick("perRequest"),
    };
}

/** One line of "where verify's time goes". */
export function breakdownLine(label: string, p: Phases): string {
    return (
        `${label}: node start ${ms(p.node)}, bundle parse+evaluate ${ms(p.bundle)}, ` +
        `→ first request ${ms(p.toFirstRequest)}, IMDS credentials ${ms(p.imds)}, ` +
        `${p.awsRequests} AWS requests ${ms(p.proof)} (median ${p.perRequest.toFixed(1)} ms each), ` +
        `last response → exit ${ms(p.exit)}`
    );
}
