// The clock and waits a reliability run gives the proof (ProofHooks.now and .sleep), so that how
// many AssumeRole attempts it makes is fixed by the seed's schedule, not by timing:
// - The propagation window (1.5 s) is measured on each service's retry loop's own waits. On the
//   wall clock, whether a 5th attempt still fits depends on how long the requests and the SDK's
//   jittered backoff took on a loaded machine. The waits themselves are real.
// - A wait ends only once the host's own GetCallerIdentity has had its answer. The proof stops its
//   retries at the first wait after the host's identity failed; without this, how many attempts
//   came before that would depend on which finished first.
import { maxAttempts } from "../../verify/host/proof/clients";
import type { ProofHooks } from "../../verify/host/proof/proof";
import type { FaultProxy } from "../../lab/faultProxy";

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the host's own identity request has its final answer: forwarded, or faulted every attempt. */
function hostIdentityAnswered(proxy: FaultProxy): boolean {
    const answers = proxy.stats.answered.filter(
        (r) => r.operation === "sts:GetCallerIdentity" && r.signer === "base",
    );
    return answers.some((r) => r.fault === undefined) || answers.length >= maxAttempts;
}

export interface ProofClock extends Required<Pick<ProofHooks, "now" | "sleep">> {
    /** The most any one service's retry loop waited in all: the proof's own bound on its time. */
    longestWaitMs(): number;
}

/** A clock for one proof run through `proxy`. */
export function proofClock(proxy: FaultProxy): ProofClock {
    const start = Date.now();
    const waitedMs = new Map<string, number>();
    return {
        longestWaitMs: () => Math.max(0, ...waitedMs.values()),
        now: (service) => start + (waitedMs.get(service) ?? 0),
        sleep: async (ms, service) => {
            waitedMs.set(service, (waitedMs.get(service) ?? 0) + ms);
            while (!hostIdentityAnswered(proxy)) await realSleep(5);
            await realSleep(ms);
        },
    };
}
