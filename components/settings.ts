// Validation shared by the components: a service's settings (its role and bucket) and the host's
// settings (instance, SSH, proof). Each check throws an InputError naming the input by its path
// (`trustMode` on the pair, `services.service-a.trustMode` on the several-services host).
import * as pulumi from "@pulumi/pulumi";

import type { AgentAccess } from "../contract/credentialAgent";
import { maxParameterCharsPerCommand } from "../contract/ssmLimits";
import type { BucketPosture } from "./bucket";
import { defaultHostKeyReaderPath, defaultSsmRunnerPath, defaultVerifyBundlePath } from "./bundles";
import type { ServiceRoleSpec } from "./serviceRole";
import {
    checkAgentServiceName,
    checkAgentUsers,
    checkBoolean,
    checkBucketName,
    checkBucketPrefix,
    checkExternalId,
    checkInstanceType,
    checkIntegerInRange,
    checkObjectActions,
    checkPolicyArn,
    checkPorts,
    checkPrincipalArns,
    checkRegion,
    checkRoleArn,
    checkSshHostKey,
    checkSshIngressCidr,
    checkSshPublicKey,
    checkSubnetId,
    checkTrustMode,
    checkVerifyTransport,
    defaultObjectActions,
    hopLimitBounds,
    InputError,
    ObjectAction,
    sessionDurationBounds,
    TrustMode,
    VerifyTransport,
    withoutStackFrames,
} from "./validation";

/** What a service may set, on either component. */
export interface ServiceSettings {
    readonly trustMode?: TrustMode;
    readonly trustedPrincipalArns?: readonly string[];
    readonly externalId?: string;
    readonly maxSessionDuration?: number;
    readonly objectActions?: readonly ObjectAction[];
    readonly bucketPrefix?: string;
    readonly bucketName?: string;
    readonly roleArn?: string;
}

/** Settings that configure a role or a bucket we create: meaningless for an existing one. */
const newRoleOnly = ["trustMode", "trustedPrincipalArns", "maxSessionDuration"] as const;
const newBucketOnly = ["bucketPrefix"] as const;

export function validateServiceSettings(
    args: ServiceSettings,
    path: string,
    posture: BucketPosture,
): ServiceRoleSpec {
    const at = (key: string) => `${path}${key}`;
    /** A setting that has no default: checked when set, undefined when not. */
    const checkIfSet = <T>(
        key: keyof ServiceSettings,
        check: (input: string, value: unknown) => T,
    ): T | undefined => (args[key] === undefined ? undefined : check(at(key), args[key]));
    /** Throws for the first of `keys` that is set: `accepted` says why it cannot be. */
    const refuseAnyOf = (
        keys: readonly (keyof ServiceSettings)[],
        accepted: (key: string) => string,
    ) => {
        const key = keys.find((k) => args[k] !== undefined);
        if (key !== undefined) throw new InputError(at(key), args[key], accepted(key));
    };
    if (args.roleArn !== undefined) {
        refuseAnyOf(
            newRoleOnly,
            (key) =>
                `nothing with roleArn: the existing role's own trust and policies apply (remove ${key}, or remove roleArn to create a role)`,
        );
        if (args.bucketName === undefined) {
            throw new InputError(
                at("bucketName"),
                undefined,
                "the existing bucket the existing role (roleArn) is expected to reach; required with roleArn",
            );
        }
    }
    if (args.bucketName !== undefined) {
        refuseAnyOf(
            newBucketOnly,
            () => "nothing with bucketName: no bucket is created for an existing one",
        );
    }
    const trustMode = checkTrustMode(at("trustMode"), args.trustMode ?? "role");
    if (args.trustedPrincipalArns !== undefined && trustMode !== "account-root") {
        throw new InputError(
            at("trustedPrincipalArns"),
            args.trustedPrincipalArns,
            'only with trustMode "account-root" (trustMode "role" already names the host role alone)',
        );
    }
    return {
        trustMode,
        trustedPrincipalArns: checkIfSet("trustedPrincipalArns", checkPrincipalArns),
        externalId: checkIfSet("externalId", checkExternalId),
        maxSessionDuration: checkIntegerInRange(
            at("maxSessionDuration"),
            args.maxSessionDuration ?? 3600,
            sessionDurationBounds,
        ),
        objectActions: checkObjectActions(
            at("objectActions"),
            args.objectActions ?? defaultObjectActions,
        ),
        bucketPrefix: checkIfSet("bucketPrefix", checkBucketPrefix),
        bucketName: checkIfSet("bucketName", checkBucketName),
        roleArn: checkIfSet("roleArn", checkRoleArn),
        ...posture,
    };
}

/**
 * What the host may set, on either component: the instance, how new buckets are kept, and the
 * proof. Both components' Args extend it, so each field is documented (with its default) once.
 */
export interface HostSettings {
    /** Let `pulumi destroy` delete new buckets that still hold objects. Default true. */
    readonly forceDestroy?: boolean;
    /** Days S3 keeps a replaced or deleted object version in the new buckets (versioning is always on), 1 to 3650. Default 30. */
    readonly noncurrentVersionExpirationDays?: number;
    /** An existing bucket that receives the new buckets' server access logs. Default: none (no access logging). */
    readonly accessLogBucket?: string;
    /** Managed policy ARN set as the permissions boundary of every role created. Default: none. */
    readonly permissionsBoundary?: string;
    /** TCP ports the host may reach (anywhere). Default [443]: HTTPS for AWS APIs and packages. */
    readonly egressTcpPorts?: number[];
    /** EC2 instance type; Graviton types get the arm64 image. Default "t3.micro". */
    readonly instanceType?: string;
    /** IMDSv2 PUT response hop limit, 1 to 64. More than 1 gives every container on the host the host role, and so every service role: give a container its own service's role with credentialAgent instead. Default 1 (containers on the host cannot reach IMDS). */
    readonly httpPutResponseHopLimit?: number;
    /** Subnet for the host; may be another resource's output (checked once known). Default: the default VPC (its default subnet in the zone AWS picks). */
    readonly subnetId?: pulumi.Input<string>;
    /** Run the proof on the host after provisioning (every service's bucket, and isolation between them). Default true. False creates no SSH- or SSM-related resource. */
    readonly verify?: boolean;
    /** How the proof reaches the host: "ssh" (SSH from sshIngressCidr with a key pair) or "ssm" (Systems Manager Run Command: no inbound port, no forced public address, no key). Default "ssh". */
    readonly verifyTransport?: VerifyTransport;
    /** CIDR allowed to SSH to the host for verification; may be another resource's output (checked once known). Default: none; required when verify is true and verifyTransport is "ssh". */
    readonly sshIngressCidr?: pulumi.Input<string>;
    /** OpenSSH public key for the host. Default: a generated ED25519 key (with sshPrivateKey, both or neither). */
    readonly sshPublicKey?: pulumi.Input<string>;
    /** The private key matching sshPublicKey; kept secret. Default: a generated ED25519 key (with sshPublicKey, both or neither). */
    readonly sshPrivateKey?: pulumi.Input<string>;
    /** verifyTransport "ssh" only: the host's SSH public key to pin ("<type> <base64>"; on Amazon Linux 2023 its ECDSA key). Default: read from the console output (where cloud-init prints it on the instance's first boot). */
    readonly sshHostKey?: string;
    /** How long verify retries AssumeRole while fresh IAM changes propagate, in seconds. Default 120. */
    readonly propagationTimeoutSeconds?: number;
    /** Path of the verify bundle. Default: dist/verify.js of this package (built by `npm run build`). */
    readonly verifyBundlePath?: string;
    /** verifyTransport "ssm" only: path of the operator-side SSM runner. Default: dist/ssm-runner.js of this package. */
    readonly ssmRunnerPath?: string;
    /** verifyTransport "ssh" only: path of the operator-side reader of the host's SSH key. Default: dist/host-key.js of this package. */
    readonly hostKeyReaderPath?: string;
    /** Serve each service's role on the host through the credential agent (http://169.254.170.23/v1/credentials, a token per service readable only by the users allowed it) and lock IMDS to root and the agent. Needs verify true over verifyTransport "ssh" (the proof's sync step installs the agent; over SSM its installer does not fit one SendCommand). Turning it on or off never touches the instance. Default false. */
    readonly credentialAgent?: boolean;
}

/** The users allowed a service's token when the credential agent is on and none are named. */
export const defaultAgentUsers: readonly string[] = ["ec2-user"];

/**
 * Who may use a service's agent token: undefined when the agent is off (and then no users may be
 * named), else the users named (default defaultAgentUsers). The service's name must then fit its
 * Unix group. The inputs' names are the caller's (a pair's `awsProfileName`, a service's path).
 */
export function validateAgentAccess(
    credentialAgent: boolean,
    service: { nameInput: string; name: string; usersInput: string; users: unknown },
): AgentAccess | undefined {
    if (!credentialAgent) {
        if (service.users !== undefined) {
            throw new InputError(
                service.usersInput,
                service.users,
                "nothing with credentialAgent false: only the agent gives a service's token to users (remove it, or set credentialAgent true)",
            );
        }
        return undefined;
    }
    checkAgentServiceName(service.nameInput, service.name);
    return { users: checkAgentUsers(service.usersInput, service.users ?? defaultAgentUsers) };
}

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

export interface ValidHostSettings extends BucketPosture {
    permissionsBoundary?: string;
    egressTcpPorts: number[];
    instanceType: string;
    httpPutResponseHopLimit: number;
    subnetId?: pulumi.Input<string>;
    /** Whether the credential agent serves the services (it needs the proof: true only with it). */
    credentialAgent: boolean;
    /** Absent when verify is false: no SSH- or SSM-related resource at all. */
    proof?: ProofTransportSettings;
}

/**
 * A plain value is checked now; another resource's output (unknown during a preview of a new
 * stack) is checked once known, failing the resources that use it with the same error, without
 * its stack (withoutStackFrames says why).
 */
function checkWhenKnown(
    input: string,
    value: pulumi.Input<string>,
    check: (input: string, value: unknown) => string,
): pulumi.Input<string> {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return pulumi.output(value).apply((known) => {
            try {
                return check(input, known);
            } catch (error) {
                throw withoutStackFrames(error);
            }
        });
    }
    return check(input, value);
}

export function validateHostSettings(args: HostSettings): ValidHostSettings {
    const verify = checkBoolean("verify", args.verify ?? true);
    const verifyTransport = checkVerifyTransport("verifyTransport", args.verifyTransport ?? "ssh");
    refuseSettingsThatDoNothing(args, verify, verifyTransport);
    const credentialAgent = checkBoolean("credentialAgent", args.credentialAgent ?? false);
    if (credentialAgent && !verify) {
        // The agent, its units and the IMDS lock reach the host through the proof's sync step
        // only (the user data stays constant): without the proof nothing would install them.
        throw new InputError(
            "credentialAgent",
            credentialAgent,
            "false with verify false: the agent is installed on the host by the proof's sync step, so it needs verify true",
        );
    }
    if (credentialAgent && verifyTransport === "ssm") {
        // The installer carries the agent's program inline (about 150 KB); the SSM runner sends
        // each host script in one SendCommand, at most maxParameterCharsPerCommand characters.
        throw new InputError(
            "credentialAgent",
            credentialAgent,
            `false with verifyTransport "ssm": the agent's installer (about 150 KB) does not fit one SendCommand (${maxParameterCharsPerCommand} characters); use verifyTransport "ssh" for the agent`,
        );
    }
    if ((args.sshPublicKey === undefined) !== (args.sshPrivateKey === undefined)) {
        throw new InputError(
            args.sshPublicKey === undefined ? "sshPublicKey" : "sshPrivateKey",
            "(unset)",
            "sshPublicKey and sshPrivateKey together, or neither (a key is then generated)",
        );
    }
    // Inputs that may be Outputs (a secret key, a subnet from another stack) are checked when plain.
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
    return {
        forceDestroy: checkBoolean("forceDestroy", args.forceDestroy ?? true),
        noncurrentVersionExpirationDays: checkIntegerInRange(
            "noncurrentVersionExpirationDays",
            args.noncurrentVersionExpirationDays ?? 30,
            { min: 1, max: 3650 },
        ),
        accessLogBucket:
            args.accessLogBucket === undefined
                ? undefined
                : checkBucketName("accessLogBucket", args.accessLogBucket),
        permissionsBoundary:
            args.permissionsBoundary === undefined
                ? undefined
                : checkPolicyArn("permissionsBoundary", args.permissionsBoundary),
        egressTcpPorts: checkPorts("egressTcpPorts", args.egressTcpPorts ?? [443]),
        instanceType: checkInstanceType("instanceType", args.instanceType ?? "t3.micro"),
        httpPutResponseHopLimit: checkIntegerInRange(
            "httpPutResponseHopLimit",
            args.httpPutResponseHopLimit ?? 1,
            hopLimitBounds,
        ),
        subnetId:
            args.subnetId === undefined
                ? undefined
                : checkWhenKnown("subnetId", args.subnetId, checkSubnetId),
        credentialAgent,
        proof: verify
            ? proofSettings(args, verifyTransport, {
                  propagationTimeoutSeconds,
                  ingressCidr,
                  hostKey,
              })
            : undefined,
    };
}

/** The proof's settings, once the inputs they come from are checked. */
function proofSettings(
    args: HostSettings,
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
function refuseSettingsThatDoNothing(
    args: HostSettings,
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

/**
 * The default AWS provider's region, checked before any resource is created: it reaches the
 * host's user data and its profiles, and a bad one would otherwise fail the deploy halfway, in an
 * apply. That provider takes aws:region, else AWS_REGION, else AWS_DEFAULT_REGION. An explicit
 * provider's region is known only once it answers; it is checked then, before any profile.
 */
export function checkDefaultProviderRegion(
    parent: pulumi.Resource,
    env: NodeJS.ProcessEnv = process.env,
): void {
    if (parent.getProvider("aws:index:region") !== undefined) return;
    const sources: [string, string | undefined][] = [
        ["aws:region", new pulumi.Config("aws").get("region")],
        ["AWS_REGION", env.AWS_REGION],
        ["AWS_DEFAULT_REGION", env.AWS_DEFAULT_REGION],
    ];
    const given = sources.find(([, value]) => value !== undefined && value !== "");
    if (given !== undefined) checkRegion(given[0], given[1]);
}
