// The host's settings, on either component: the instance, how new buckets are kept, the proof
// and the credential agent. HostSettings documents each field once (both components' Args extend
// it); validateHostSettings composes the checks of each concern, each throwing an InputError that
// names the input.
import * as pulumi from "@pulumi/pulumi";

import { checkCredentialAgent } from "./agentSettings";
import type { BucketPosture } from "./bucket";
import {
    ProofTransportSettings,
    refuseSettingsThatDoNothing,
    validateProofSettings,
} from "./proofSettings";
import {
    checkBoolean,
    checkBucketName,
    checkInstanceType,
    checkIntegerInRange,
    checkPolicyArn,
    checkPorts,
    checkSubnetId,
    checkVerifyTransport,
    hopLimitBounds,
    VerifyTransport,
} from "./validation";
import { checkWhenKnown } from "./whenKnown";

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
    /** Serve each service's role on the host through the credential agent (http://169.254.170.23/v1/credentials, a token per service readable only by the users allowed it) and lock IMDS to root and the agent. Needs verify true (the proof's sync step installs the agent, over SSH or SSM). Turning it on or off never touches the instance. Default false. */
    readonly credentialAgent?: boolean;
}

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

export function validateHostSettings(args: HostSettings): ValidHostSettings {
    const verify = checkBoolean("verify", args.verify ?? true);
    const verifyTransport = checkVerifyTransport("verifyTransport", args.verifyTransport ?? "ssh");
    refuseSettingsThatDoNothing(args, verify, verifyTransport);
    const credentialAgent = checkCredentialAgent(args.credentialAgent, verify);
    const proof = validateProofSettings(args, verify, verifyTransport);
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
        proof,
    };
}
