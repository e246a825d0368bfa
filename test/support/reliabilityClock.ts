// The clock and waits a reliability run gives the proof (ProofHooks.now and .sleep), so that how
// many AssumeRole attempts it makes is fixed by the seed's schedule, not by timing:
// - The propagation window (1.5 s) is measured on each retry loop's own waits. On the wall clock,
//   whether a 5th attempt still fits depends on how long the requests and the SDK's jittered
//   backoff took on a loaded machine. The waits themselves are real.
// - A wait ends only once the host's own GetCallerIdentity has had its answer. The proof stops its
//   retries at the first wait after the host's identity failed; without this, how many attempts
//   came before that would depend on which finished first.
import { AsyncLocalStorage } from "async_hooks";

import { maxAttempts } from "../../verify/host/clients";
import type { ProofHooks } from "../../verify/host/proof";
import type { FaultProxy } from "./faultProxy";

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the host's own identity request has its final answer: forwarded, or faulted every attempt. */
function hostIdentityAnswered(proxy: FaultProxy): boolean {
    const answers = proxy.stats.answered.filter(
        (r) => r.operation === "sts:GetCallerIdentity" && r.signer === "base",
    );
    return answers.some((r) => r.fault === undefined) || answers.length >= maxAttempts;
}

export function proofClock(proxy: FaultProxy): Pick<ProofHooks, "now" | "sleep"> {
    // One retry loop runs per service, all at once; each is told apart by its async context,
    // which it enters at its first wait (before that, its waits so far are none).
    const loops = new AsyncLocalStorage<{ waitedMs: number }>();
    const start = Date.now();
    return {
        now: () => start + (loops.getStore()?.waitedMs ?? 0),
        sleep: async (ms) => {
            let loop = loops.getStore();
            if (!loop) {
                loop = { waitedMs: 0 };
                loops.enterWith(loop);
            }
            loop.waitedMs += ms;
            while (!hostIdentityAnswered(proxy)) await realSleep(5);
            await realSleep(ms);
        },
    };
}
