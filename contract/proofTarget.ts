// What `prove` needs to re-run the proof against a live stack, exported by both components as the
// `proofTarget` stack output (and the SSH key as the secret `sshPrivateKey` output). Shared by
// the components (which build it) and verify/operator/prove (which reads it back).
import type { VerifyTarget } from "./plan";

/** The stack's transport and host, the plan, and how to sync the host's profiles first. */
export interface ProofTarget {
    /** "ssh" or "ssm", the stack's verifyTransport (a string: the schema analyzer takes no unions). */
    transport: string;
    instanceId: string;
    region: string;
    /** The plan the deploy proved: one entry per service, with its profile. */
    plan: VerifyTarget[];
    propagationTimeoutSeconds: number;
    /** The host's SSM parameter path of profiles (contract/profileSync.ts). */
    profilesPath: string;
    /** ssh only: the address, the user, and the pinned host key ("<type> <base64>"). */
    publicIp?: string;
    sshUser?: string;
    hostKey?: string;
}

/** The stack output names prove reads. */
export const proofTargetOutput = "proofTarget";
export const sshPrivateKeyOutput = "sshPrivateKey";
