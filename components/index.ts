// The public API, the npm package's entry: `import { AssumableRolePair, SharedDevHost } from "rolepair"`.
export { AssumableRolePair, validateAssumableRolePairArgs } from "./assumableRolePair";
export type { AssumableRolePairArgs } from "./assumableRolePair";
export { readStackConfig } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export * from "./policies";
export {
    buildAssumeRoleCommand,
    buildVerifyCommand,
    buildVerifyPlanCommand,
    verifyPlanJson,
    parseVerificationReport,
    requireProof,
    shellQuote,
} from "./verifyCommand";
export type { VerifyCommandArgs, VerifyPlanCommandArgs } from "./verifyCommand";
export { SharedDevHost, validateSharedDevHostArgs } from "./sharedDevHost";
export type { SharedDevHostArgs, SharedService, SharedServiceOutput } from "./sharedDevHost";
// What the proof reports (the components' `verification` output).
export type {
    HostIdentities,
    IsolationResult,
    ProofReport,
    ServiceIdentities,
    ServiceReport,
    SessionCredentials,
    StepName,
    StepResult,
} from "../contract/report";
export {
    InputError,
    ObjectAction,
    TrustMode,
    VerifyTransport,
    allowedObjectActions,
    defaultObjectActions,
    trustModes,
} from "./validation";
