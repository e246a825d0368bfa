// The steps a service's proof reports, in the order the report promises (contract/report.ts),
// spelt out once for the tests that expect them, apart from the code that orders them.
import type { ProofReport, StepName } from "../../contract/report";

/** A service proven with the default object actions and no AWS profile. */
export const roundTripSteps: readonly StepName[] = [
    "base-denied",
    "assume-role",
    "assumed-identity",
    "put-object",
    "list-objects",
    "get-object",
    "delete-object",
    "credentials-expiry",
];

/** After roundTripSteps, when the service's AWS profile on the host is proven too. */
export const profileSteps: readonly StepName[] = [
    "profile-config",
    "profile-identity",
    "profile-round-trip",
];

/** The [name, ok] pairs of steps that all passed. */
export const passed = (steps: readonly StepName[]): [StepName, boolean][] =>
    steps.map((name) => [name, true]);

/** A service's steps through the credential agent (its token), when the plan says `agent`. */
export const agentSteps: readonly StepName[] = [
    "agent-credentials",
    "agent-identity",
    "agent-round-trip",
    "agent-isolation",
    "agent-cross-token",
    "agent-no-token",
];

/** Each service's name and whether each of `steps` passed (undefined: not in its report). */
export const stepOutcomes = (report: ProofReport, steps: readonly StepName[]) =>
    report.services.map((s): [string, (boolean | undefined)[]] => [
        s.name,
        steps.map((name) => s.steps.find((x) => x.name === name)?.ok),
    ]);
