// The IMDS lock as the proof sees it: when IMDS refuses this UID and nothing else gives host
// credentials, the host role is out of reach, which is stronger than its being denied; these
// turn the host's and each service's first steps into that answer. Apart because the lock is
// one decision (lockedOut) read by both the host's steps and every service's.
import { isNoCredentials } from "../../cli/errors";
import type { VerifyTarget } from "../../../contract/plan";
import type { StepResult } from "../../../contract/report";

/**
 * ok: the host's own identity is known. locked: it is not, because IMDS refuses this UID (the
 * lock) and no other source gave credentials: the host role is out of this UID's reach, which is
 * stronger than its being denied each bucket. failed: the proof stops at base-identity.
 */
export type HostState = "ok" | "locked" | "failed";

export async function lockedOut(
    imds: Promise<StepResult> | undefined,
    baseError: unknown,
): Promise<HostState> {
    if (imds === undefined || !(await imds).ok) return "failed";
    return isNoCredentials(baseError) ? "locked" : "failed";
}

const lockedObservation =
    "no host credentials for this UID: IMDS refuses it (imds-refused), which is stronger than the host role being denied";

export function lockedBaseIdentity(step: StepResult): StepResult {
    return {
        name: "base-identity",
        ok: true,
        skipped: true,
        expected: step.expected,
        observed: lockedObservation,
        durationMs: step.durationMs,
    };
}

/**
 * With the host role out of this UID's reach, its denial needs no listing; a service without the
 * agent cannot be proven from this UID at all, and says why.
 */
export function lockedServiceSteps(
    denied: StepResult,
    assumeRole: StepResult,
    target: VerifyTarget,
): StepResult[] {
    const base: StepResult = {
        name: "base-denied",
        ok: true,
        skipped: true,
        expected: denied.expected,
        observed: lockedObservation,
        durationMs: denied.durationMs,
    };
    if (target.agent) return [base];
    return [
        base,
        {
            ...assumeRole,
            ok: false,
            diagnosis:
                `service ${target.name} is not served by the credential agent, and with the IMDS lock on this UID has no credentials to assume its role: ` +
                "turn the agent on for it, or prove it as a UID the lock lets through.",
        },
    ];
}
