// The proof's settings: how it reaches the host (SSH or SSM, a discriminated union, so each
// transport's fields exist only on it), checked from the host settings. The SSH inputs are
// refused where they would do nothing, so a setting given is a setting used.
import * as pulumi from "@pulumi/pulumi";

import { defaultHostKeyReaderPath, defaultSsmRunnerPath, defaultVerifyBundlePath } from "./bundles";
// Types only (erased at run time): the host settings compose this file, not the other way.
import type { HostSettings } from "./hostSettings";
import {
    checkIntegerInRange,
    checkSshHostKey,
    checkSshIngressCidr,
    checkSshPublicKey,
    InputError,
    VerifyTransport,
} from "./validation";
import { checkWhenKnown } from "./whenKnown";

/** What every transport of the proof needs. */
interface ProofSettings {
    propagationTimeoutSeconds: number;
    /** The verify bundle copied to the host. */
    bundlePath: string;
    /** The aws provider's profile, for the commands run on the operator's machine. */
    awsProfile?: string;
}

/** The proof over SSH: an ingress rule, a key pair, and the host's key pinned. */
export interface SshProofSettings extends ProofSettings {
    transport: "ssh";
    ingressCidr: pulumi.Input<string>;
    /** Both or neither; neither generates a key. */
    publicKey?: pulumi.Input<string>;
    privateKey?: pulumi.Input<string>;
    /** The host key to pin; absent: read from the console by the host-key reader. */
    hostKey?: string;
    hostKeyReaderPath: string;
}

/** The proof over SSM Run Command: no inbound port, no key; the runner runs on the operator's machine. */
export interface SsmProofSettings extends ProofSettings {
    transport: "ssm";
    runnerPath: string;
}

export type ProofTransportSettings = SshProofSettings | SsmProofSettings;

/** The host settings the proof is made from (each documented on HostSettings). */
export type ProofInputs = Pick<
    HostSettings,
    | "sshIngressCidr"
    | "sshPublicKey"
    | "sshPrivateKey"
    | "sshHostKey"
    | "propagationTimeoutSeconds"
    | "verifyBundlePath"
    | "ssmRunnerPath"
    | "hostKeyReaderPath"
>;

/**
 * The proof's settings, undefined when verify is false (no SSH- or SSM-related resource at all).
 * Its inputs are checked even then, so a bad value fails before it would matter.
 */
export function validateProofSettings(
    args: ProofInputs,
    verify: boolean,
    transport: VerifyTransport,
): ProofTransportSettings | undefined {
    if ((args.sshPublicKey === undefined) !== (args.sshPrivateKey === undefined)) {
        throw new InputError(
            args.sshPublicKey === undefined ? "sshPublicKey" : "sshPrivateKey",
            "(unset)",
            "sshPublicKey and sshPrivateKey together, or neither (a key is then generated)",
        );
    }
    // The public key may be an Output (from a secret store): it is checked when plain.
    if (typeof args.sshPublicKey === "string") checkSshPublicKey("sshPublicKey", args.sshPublicKey);
    const ingressCidr =
        args.sshIngressCidr === undefined
            ? undefined
            : checkWhenKnown("sshIngressCidr", args.sshIngressCidr, checkSshIngressCidr);
    const hostKey =
        args.sshHostKey === undefined ? undefined : checkSshHostKey("sshHostKey", args.sshHostKey);
    const propagationTimeoutSeconds = checkIntegerInRange(
        "propagationTimeoutSeconds",
        args.propagationTimeoutSeconds ?? 120,
        { min: 1, max: 3600 },
    );
    if (!verify) return undefined;
    return proofSettings(args, transport, { propagationTimeoutSeconds, ingressCidr, hostKey });
}

/** The proof's settings, once the inputs they come from are checked. */
function proofSettings(
    args: ProofInputs,
    transport: VerifyTransport,
    checked: {
        propagationTimeoutSeconds: number;
        ingressCidr?: pulumi.Input<string>;
        hostKey?: string;
    },
): ProofTransportSettings {
    const common = {
        propagationTimeoutSeconds: checked.propagationTimeoutSeconds,
        bundlePath: args.verifyBundlePath ?? defaultVerifyBundlePath,
        awsProfile: new pulumi.Config("aws").get("profile"),
    };
    if (transport === "ssm") {
        return { ...common, transport, runnerPath: args.ssmRunnerPath ?? defaultSsmRunnerPath };
    }
    if (checked.ingressCidr === undefined) {
        throw new Error("unreachable: sshIngressCidr is required with verify over SSH");
    }
    return {
        ...common,
        transport,
        ingressCidr: checked.ingressCidr,
        publicKey: args.sshPublicKey,
        privateKey: args.sshPrivateKey,
        hostKey: checked.hostKey,
        hostKeyReaderPath: args.hostKeyReaderPath ?? defaultHostKeyReaderPath,
    };
}

/** SSH settings with the SSM transport, or a host key without the proof, would do nothing: refused. */
export function refuseSettingsThatDoNothing(
    args: ProofInputs,
    verify: boolean,
    verifyTransport: VerifyTransport,
): void {
    if (verifyTransport === "ssm") {
        // SSM needs no SSH at all: a CIDR or key given here would be a setting that does nothing.
        for (const key of [
            "sshIngressCidr",
            "sshPublicKey",
            "sshPrivateKey",
            "sshHostKey",
        ] as const) {
            if (args[key] !== undefined) {
                throw new InputError(
                    key,
                    key === "sshPrivateKey" ? "(set, not shown)" : args[key],
                    'nothing with verifyTransport "ssm": no SSH port is opened and no key is used (remove it, or use verifyTransport "ssh")',
                );
            }
        }
    }
    if (!verify && args.sshHostKey !== undefined) {
        // The key is pinned by the proof's SSH commands only: without the proof it would do nothing.
        throw new InputError(
            "sshHostKey",
            args.sshHostKey,
            "nothing with verify false: the key is pinned only by the proof's SSH connection (remove it, or set verify true)",
        );
    }
    if (verify && verifyTransport === "ssh" && args.sshIngressCidr === undefined) {
        throw new InputError(
            "sshIngressCidr",
            undefined,
            "an IPv4 CIDR such as 203.0.113.7/32, required when verify is true (or set verify: false, or verifyTransport: ssm)",
        );
    }
}
