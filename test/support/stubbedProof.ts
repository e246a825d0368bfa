// The proof as the unit tests run it against the stubbed account (fakeAws.ts): as the host, whose
// own credentials are the host role's static fake key, with whatever hooks a test adds (a virtual
// clock, a progress sink, no waiting). One place, so every test proves the same way.
import type { ProofOptions } from "../../verify/host/proof/options";
import { type ProofHooks, runProof } from "../../verify/host/proof/proof";
import type { VerifyTarget } from "../../contract/plan";
import type { ProofReport } from "../../contract/report";
import { hostCredentials } from "./fakeAws";

/**
 * The proof's options for these targets, as the unit tests run it: one session for a single
 * target, a session per service for several; no wait for IAM propagation unless `extra` sets one.
 */
export function proofOptions(
    targets: VerifyTarget[],
    extra: Partial<ProofOptions> = {},
): ProofOptions {
    return {
        targets,
        region: "eu-west-1",
        sessionName: "verify",
        perServiceSessions: targets.length > 1,
        durationSeconds: 900,
        propagationTimeoutMs: 0,
        json: true,
        ...extra,
    };
}

/** Runs the proof for `targets` on the stubbed account; `hooks` may replace the host's credentials. */
export function proveStubbed(
    targets: VerifyTarget[],
    extra: Partial<ProofOptions> = {},
    hooks: ProofHooks = {},
): Promise<ProofReport> {
    return runProof(proofOptions(targets, extra), { baseCredentials: hostCredentials, ...hooks });
}
