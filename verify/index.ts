// The verify library: run the proof from code, or give applications self-refreshing credentials.
export { parseArgs, UsageError } from "./args";
export type { ProofOptions } from "./args";
export { assumeRoleCredentials } from "./credentials";
export type { AssumeRoleCredentialsOptions } from "./credentials";
export { runProof } from "./proof";
export type { ProofHooks } from "./proof";
export { describeFailure, formatChecklist, maskAccessKeyId } from "./report";
export type { ProofReport, StepName, StepResult } from "./report";
