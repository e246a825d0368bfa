// The public API, the npm package's entry: `import { AssumableRolePair, SharedDevHost } from "rolepair"`.
// Only the two components, their Args and outputs, and what a program really calls: every name
// here is a promise to the package's users, so internals (policy builders, command lines, the
// report parser) stay out.
export { AssumableRolePair, validateAssumableRolePairArgs } from "./assumableRolePair";
export type { AssumableRolePairArgs } from "./assumableRolePair";
export { SharedDevHost, validateSharedDevHostArgs } from "./sharedDevHost";
export type { SharedDevHostArgs, SharedService, SharedServiceOutput } from "./sharedDevHost";
export type { ServiceAgent } from "./agentOutputs";
export { readStackConfig } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export { buildAssumeRoleCommand } from "./commandLines";
// What the proof reports (the components' `verification` output) and what `prove` reads.
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
export type { ProofTarget } from "../contract/proofTarget";
export {
    InputError,
    ObjectAction,
    TrustMode,
    VerifyTransport,
    allowedObjectActions,
    defaultObjectActions,
    trustModes,
} from "./validation";
