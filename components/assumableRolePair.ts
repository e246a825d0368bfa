import * as pulumi from "@pulumi/pulumi";

import type { ProofTarget } from "../contract/proofTarget";
import type { ProofReport } from "../contract/report";
import type { AgentAccess } from "../contract/credentialAgent";
import { agentServiceOutput, type ServiceAgent } from "./agentOutputs";
import { hostProfilesPath } from "./provenHost";
import { composeHostAndServices } from "./composition";
import type { ServiceRoleSpec } from "./serviceRole";
import { validateAgentAccess } from "./agentSettings";
import { HostSettings, validateHostSettings, ValidHostSettings } from "./hostSettings";
import { validateServiceSettings } from "./serviceSettings";
import { checkProfileName, ObjectAction, TrustMode } from "./validation";

/**
 * Arguments of an AssumableRolePair. Fields that decide the shape of the resource graph or of a
 * policy are plain values, so they are validated before any resource is registered.
 */
export interface AssumableRolePairArgs extends HostSettings {
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
    /** Name of the AWS config profile written on the host for the target role. Default "target". */
    readonly awsProfileName?: string;
    /** credentialAgent only: the local Unix users (1 to 16, each existing on the host) allowed the target role's agent token; the host puts them in the group rolepair-<awsProfileName>. Default ["ec2-user"]. */
    readonly agentUsers?: string[];
}

type ValidatedArgs = ServiceRoleSpec &
    ValidHostSettings & { awsProfileName: string; agent?: AgentAccess };

/** Checks every argument; throws an InputError naming the first bad one. Registers nothing. */
export function validateAssumableRolePairArgs(args: AssumableRolePairArgs): ValidatedArgs {
    const host = validateHostSettings(args);
    const awsProfileName = checkProfileName("awsProfileName", args.awsProfileName ?? "target");
    const agent = validateAgentAccess(host.credentialAgent, {
        nameInput: "awsProfileName",
        name: awsProfileName,
        usersInput: "agentUsers",
        users: args.agentUsers,
    });
    return {
        ...validateServiceSettings(
            { ...args, bucketName: undefined, roleArn: undefined },
            "",
            host,
        ),
        ...host,
        awsProfileName,
        ...(agent !== undefined ? { agent } : {}),
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
    /** What `npm run prove` reads to re-run the proof on the live host; undefined when verify is false. */
    public readonly proofTarget?: pulumi.Output<ProofTarget>;
    /** verifyTransport ssh: the private key that opens SSH on the host (secret); otherwise undefined. */
    public readonly sshPrivateKey?: pulumi.Output<string>;
    /** credentialAgent only: how processes and containers reach the target role through the agent; otherwise undefined. */
    public readonly agent?: pulumi.Output<ServiceAgent>;

    constructor(name: string, args: AssumableRolePairArgs, opts?: pulumi.ComponentResourceOptions) {
        const valid = validateAssumableRolePairArgs(args);
        const profilesPath = hostProfilesPath(name);
        super("rolepair:index:AssumableRolePair", name, {}, opts);

        // One service whose prefix is the pair's name: its resources keep the names they always had.
        const {
            host,
            roles: [target],
        } = composeHostAndServices(
            name,
            [{ prefix: name, profileName: valid.awsProfileName, spec: valid, agent: valid.agent }],
            { valid, profilesPath },
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
        this.proofTarget = host.proofTarget;
        this.sshPrivateKey = host.sshPrivateKey;
        this.agent =
            valid.agent !== undefined
                ? pulumi.output(agentServiceOutput(valid.awsProfileName, valid.agent))
                : undefined;

        this.registerOutputs({
            hostRoleArn: this.hostRoleArn,
            targetRoleArn: this.targetRoleArn,
            bucketName: this.bucketName,
            instanceId: this.instanceId,
            publicIp: this.publicIp,
            verification: this.verification,
            proofTarget: this.proofTarget,
            sshPrivateKey: this.sshPrivateKey,
            agent: this.agent,
        });
    }
}
