// The record of one step: what each step expects, and the Recorder that runs a step, times it and
// turns a thrown AWS error into a diagnosed failure naming its service. Apart from the steps
// themselves because every route (session, profile, agent) records through it.
import { describeError, isNoCredentials, isUnreachable } from "../../cli/errors";
import type { ProofReport, StepName, StepResult } from "../../../contract/report";
import { diagnose, type DiagnosisContext } from "./diagnose";
import type { Outcome } from "./steps";

const expectations: Record<StepName, string> = {
    "base-identity": "the host's own identity from the default credential chain",
    "base-denied": "AccessDenied listing the service's bucket as the host's own role",
    "assume-role": "sts:AssumeRole into the service's role succeeds",
    "assumed-identity": "caller identity is the service role's session",
    "put-object": "PutObject of a probe object succeeds",
    "list-objects": "ListObjectsV2 shows the probe object",
    "get-object": "GetObject returns the bytes written",
    "delete-object": "DeleteObject removes the probe object",
    "credentials-expiry": "temporary credentials with an expiration in the future",
    "profile-config":
        "the host's AWS config holds the profile just deployed (role_arn, external_id) and, for a plan, nothing the plan did not put there",
    "profile-identity": "the AWS config profile yields the service role's session",
    "profile-round-trip": "the declared object actions through the profile succeed",
    "imds-refused":
        "the instance metadata service gives this UID no answer (the IMDS lock): no host credentials for it",
    "agent-credentials":
        "the credential agent answers the service's token with credentials (200, unexpired)",
    "agent-identity": "the agent's credentials are a session of the service's role",
    "agent-round-trip": "the declared object actions with the agent's credentials succeed",
    "agent-isolation":
        "AccessDenied listing every other bucket of the plan with the agent's credentials",
    "agent-cross-token":
        "with the service's token, no query string, path or header naming another service yields another role",
    "agent-no-token": "no token and a wrong token are answered 401 or 403, without credentials",
};

/** Host-level steps: their diagnoses name no service. */
const hostSteps: readonly StepName[] = ["base-identity", "imds-refused"];

/** Runs steps for one service (or the host) and turns thrown AWS errors into diagnosed failures. */
export class Recorder {
    /** base-identity found no credentials at all. */
    noCredentials = false;

    constructor(
        private readonly report: ProofReport,
        private readonly ctx: DiagnosisContext,
    ) {}

    /** Runs a step; the caller places the result, so concurrent steps keep a fixed report order. */
    async run(
        name: StepName,
        body: () => Promise<Outcome>,
        expected: string = expectations[name],
    ): Promise<StepResult> {
        const started = performance.now();
        let outcome: Outcome;
        try {
            outcome = await body();
        } catch (error) {
            // No credentials at all for the host's own identity: the proof could not start. A
            // profile's missing credentials are the profile-* steps' subject, a failure.
            // With the IMDS lock on, that is expected: proveAll decides once IMDS is checked.
            if (isUnreachable(error)) this.report.unreachable = true;
            else if (name === "base-identity" && isNoCredentials(error)) this.noCredentials = true;
            outcome = {
                ok: false,
                observed: describeError(error),
                diagnosis: diagnose(name, error, this.ctx),
            };
        }
        return {
            name,
            ok: outcome.ok,
            expected,
            observed: outcome.observed,
            durationMs: Math.round(performance.now() - started),
            ...(outcome.skipped ? { skipped: true } : {}),
            ...(outcome.ok || !outcome.diagnosis
                ? {}
                : { diagnosis: this.namingService(name, outcome.diagnosis) }),
        };
    }

    /** Every service diagnosis names its service, whichever layer wrote it. */
    private namingService(name: StepName, diagnosis: string): string {
        if (hostSteps.includes(name) || diagnosis.includes(this.ctx.service)) return diagnosis;
        return `service ${this.ctx.service}: ${diagnosis}`;
    }
}
