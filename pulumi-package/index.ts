// The component package's entry: the components other Pulumi languages may use, and nothing
// that runs a stack. The plugin host requires this file and serves every ComponentResource
// exported here; the schema analyzer follows these export lines to find their Args.
export { AssumableRolePair } from "../components/assumableRolePair";
export { SharedDevHost } from "../components/sharedDevHost";
