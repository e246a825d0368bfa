import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { ProofReport } from "../verify/report";
import { createDevHost, createHostRole } from "./devHost";
import { createServiceRole } from "./serviceRole";
import { defaultSsmRunnerPath, defaultVerifyBundlePath } from "./verification";
import type { ServiceRoleSpec } from "./serviceRole";
import { validateHostSettings, validateServiceSettings, ValidHostSettings } from "./settings";
import { checkProfileName, ObjectAction, TrustMode, VerifyTransport } from "./validation";

/**
 * Arguments of an AssumableRolePair. Fields that decide the shape of the resource graph or of a
 * policy are plain values, so they are validated before any resource is registered.
 */
export interface AssumableRolePairArgs {
    /** Who the target role trusts: the host role's ARN ("role") or the account root ("account-root"). Default "role". */
    readonly trustMode?: TrustMode;
    /** "account-root" only: principals allowed by an aws:PrincipalArn condition (ArnLike). Default: none (no condition). */
    readonly trustedPrincipalArns?: string[];
    /** Adds an sts:ExternalId condition to the target role's trust. Default: none. */
    readonly externalId?: string;
    /** Target role's maximum session, in seconds, 3600 to 43200. Default 3600. */
    readonly maxSessionDuration?: number;
    /** Object actions the target role gets on the bucket's objects. Default GetObject, PutObject, DeleteObject. */
    readonly objectActions?: ObjectAction[];
    /** Bucket name prefix (3 to 37 characters). Default: derived from the resource name. */
    readonly bucketPrefix?: string;
    /** Let `pulumi destroy` delete a bucket that still holds objects. Default true. */
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
    /** IMDSv2 PUT response hop limit, 1 to 64. Default 1 (containers on the host cannot reach IMDS). */
    readonly httpPutResponseHopLimit?: number;
    /** Subnet for the host. Default: the default VPC (its default subnet in the zone AWS picks). */
    readonly subnetId?: pulumi.Input<string>;
    /** Name of the AWS config profile written on the host for the target role. Default "target". */
    readonly awsProfileName?: string;
    /** Run the proof on the host after provisioning. Default true. False creates no SSH-related resource. */
    readonly verify?: boolean;
    /** How the proof reaches the host: "ssh" (SSH from sshIngressCidr with a key pair) or "ssm" (Systems Manager Run Command: no inbound port, no public address, no key). Default "ssh". */
    readonly verifyTransport?: VerifyTransport;
    /** CIDR allowed to SSH to the host for verification. Default: none; required when verify is true and verifyTransport is "ssh". */
    readonly sshIngressCidr?: string;
    /** OpenSSH public key for the host. Default: a generated ED25519 key (with sshPrivateKey, both or neither). */
    readonly sshPublicKey?: pulumi.Input<string>;
    /** The private key matching sshPublicKey; kept secret. Default: a generated ED25519 key (with sshPublicKey, both or neither). */
    readonly sshPrivateKey?: pulumi.Input<string>;
    /** How long verify retries AssumeRole while fresh IAM changes propagate, in seconds. Default 120. */
    readonly propagationTimeoutSeconds?: number;
    /** Path of the verify bundle. Default: dist/verify.js of this package (built by `npm run build`). */
    readonly verifyBundlePath?: string;
    /** verifyTransport "ssm" only: path of the operator-side SSM runner. Default: dist/ssm-runner.js of this package. */
    readonly ssmRunnerPath?: string;
}

type ValidatedArgs = ServiceRoleSpec & ValidHostSettings & { awsProfileName: string };

/** Checks every argument; throws an InputError naming the first bad one. Registers nothing. */
export function validateAssumableRolePairArgs(args: AssumableRolePairArgs): ValidatedArgs {
    const host = validateHostSettings(args);
    return {
        ...validateServiceSettings(
            { ...args, bucketName: undefined, roleArn: undefined },
            "",
            host,
        ),
        ...host,
        awsProfileName: checkProfileName("awsProfileName", args.awsProfileName ?? "target"),
    };
}

/**
 * An EC2 host whose own role cannot reach an S3 bucket, and a least-privilege target role that can,
 * which the host role enters with sts:AssumeRole. Optionally proves it on the host after provisioning.
 */
export class AssumableRolePair extends pulumi.ComponentResource {
    /** ARN of the host role (the instance profile's role); resolves once its policy exists. */
    public readonly hostRoleArn: pulumi.Output<string>;
    /** ARN of the target role; resolves once its trust and access policy exist. */
    public readonly targetRoleArn: pulumi.Output<string>;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly instanceId: pulumi.Output<string>;
    public readonly publicIp: pulumi.Output<string>;
    public readonly awsProfileName: string;
    /** The target role's trust and access policies as JSON, as applied. */
    public readonly targetTrustPolicy: pulumi.Output<string>;
    public readonly targetAccessPolicy: pulumi.Output<string>;
    /** The proof's report from the host; undefined when verify is false. */
    public readonly verification?: pulumi.Output<ProofReport>;

    constructor(name: string, args: AssumableRolePairArgs, opts?: pulumi.ComponentResourceOptions) {
        const valid = validateAssumableRolePairArgs(args);
        super("rolepair:index:AssumableRolePair", name, {}, opts);

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        // One host and one service role, named as the pair always named them: `${name}-...`.
        const hostRole = createHostRole(name, this, valid.permissionsBoundary);
        const target = createServiceRole(
            name,
            valid,
            {
                hostRoleArn: hostRole.role.arn,
                partition,
                accountId,
                permissionsBoundary: valid.permissionsBoundary,
            },
            this,
        );
        const host = createDevHost(
            name,
            {
                hostRole,
                services: [
                    {
                        profileName: valid.awsProfileName,
                        roleArn: target.roleArn,
                        bucket: target.bucketReady,
                        externalId: valid.externalId,
                        objectActions: valid.objectActions,
                        policies: [target.trustPolicy!, target.accessPolicy!],
                        resources: target.resources,
                    },
                ],
                region,
                instanceType: valid.instanceType,
                httpPutResponseHopLimit: valid.httpPutResponseHopLimit,
                subnetId: args.subnetId,
                egressTcpPorts: valid.egressTcpPorts,
                partition,
                verification: valid.verify
                    ? {
                          transport: valid.verifyTransport,
                          sshIngressCidr: valid.sshIngressCidr,
                          sshPublicKey: args.sshPublicKey,
                          sshPrivateKey: args.sshPrivateKey,
                          propagationTimeoutSeconds: valid.propagationTimeoutSeconds,
                          bundlePath: args.verifyBundlePath ?? defaultVerifyBundlePath,
                          ssmRunnerPath: args.ssmRunnerPath ?? defaultSsmRunnerPath,
                          awsProfile: new pulumi.Config("aws").get("profile"),
                      }
                    : undefined,
            },
            this,
        );

        this.hostRoleArn = host.hostRoleArn;
        this.targetRoleArn = target.roleArn;
        this.targetTrustPolicy = target.trustPolicy!;
        this.targetAccessPolicy = target.accessPolicy!;
        this.bucketName = target.bucketName;
        this.bucketArn = target.bucketArn;
        this.instanceId = host.instance.id;
        this.publicIp = host.instance.publicIp;
        this.awsProfileName = valid.awsProfileName;
        this.verification = host.report;

        this.registerOutputs({
            hostRoleArn: this.hostRoleArn,
            targetRoleArn: this.targetRoleArn,
            bucketName: this.bucketName,
            instanceId: this.instanceId,
            publicIp: this.publicIp,
            verification: this.verification,
        });
    }
}
