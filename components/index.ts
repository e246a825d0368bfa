// The public API: `import { AssumableRolePair } from "<package>/components"`.
export { AssumableRolePair, validateAssumableRolePairArgs } from "./assumableRolePair";
export type { AssumableRolePairArgs } from "./assumableRolePair";
export { readStackConfig } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export * from "./policies";
export {
    buildVerifyCommand,
    parseVerificationReport,
    requireProof,
    shellQuote,
} from "./verifyCommand";
export type { VerifyCommandArgs } from "./verifyCommand";
export { InputError, allowedObjectActions, defaultObjectActions, trustModes } from "./validation";
export type { ObjectAction, TrustMode } from "./validation";
