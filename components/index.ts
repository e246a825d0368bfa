// The public API: `import { AssumableRolePair, SharedDevHost } from "<package>/components"`.
export { AssumableRolePair, validateAssumableRolePairArgs } from "./assumableRolePair";
export type { AssumableRolePairArgs } from "./assumableRolePair";
export { readStackConfig } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export * from "./policies";
export {
    buildVerifyCommand,
    buildVerifyPlanCommand,
    verifyPlanJson,
    parseVerificationReport,
    requireProof,
    shellQuote,
} from "./verifyCommand";
export type { VerifyCommandArgs, VerifyPlanCommandArgs } from "./verifyCommand";
export { SharedDevHost, validateSharedDevHostArgs } from "./sharedDevHost";
export type { SharedDevHostArgs, SharedServiceArgs, SharedServiceOutput } from "./sharedDevHost";
export {
    InputError,
    ObjectAction,
    TrustMode,
    VerifyTransport,
    allowedObjectActions,
    defaultObjectActions,
    trustModes,
} from "./validation";
