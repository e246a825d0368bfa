// The verify library: run the proof from code, or give applications self-refreshing credentials.
export { parseArgs, resolveArgs } from "./args";
export { concurrencyBounds, defaultConcurrency } from "./options";
export { UsageError, UsageErrors } from "../../../contract/usageError";
export { checkRoleChaining, roleChainingMaxSeconds } from "./roleChaining";
export type { ProofOptions } from "./options";
export { assumeRoleCredentials } from "./credentials";
export type { AssumeRoleCredentialsOptions } from "./credentials";
export { validatePlan } from "../../../contract/plan";
export type { VerifyTarget } from "../../../contract/plan";
export { runProof } from "./proof";
export type { ProofHooks } from "./proof";
export { describeFailure, formatChecklist, maskAccessKeyId } from "../../../contract/report";
export type {
    IsolationResult,
    ProofReport,
    ServiceReport,
    StepName,
    StepResult,
} from "../../../contract/report";
