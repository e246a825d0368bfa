import * as pulumi from "@pulumi/pulumi";

import type { ProofTarget } from "../contract/proofTarget";
import type { ProofReport } from "../contract/report";
import { agentServiceOutput, type ServiceAgent } from "./agentOutputs";
import { hostProfilesPath } from "./provenHost";
import { composeHostAndServices } from "./composition";
import { validateAgentAccess } from "./agentSettings";
import { HostSettings, validateHostSettings } from "./hostSettings";
import { validateServiceSettings } from "./serviceSettings";
import {
    checkServiceCount,
    checkServiceName,
    InputError,
    ObjectAction,
    TrustMode,
} from "./validation";

/**
 * One service on the shared host. By default a new role and a new private bucket; or an existing
 * bucket (bucketName); or an existing role and the bucket it is expected to reach (roleArn and
 * bucketName), for which nothing is created.
 */
export interface SharedService {
    /** Who the service's new role trusts: the host role's ARN ("role") or the account root ("account-root"). Default "role". Not with roleArn. */
    readonly trustMode?: TrustMode;
    /** "account-root" only: principals allowed by an aws:PrincipalArn condition (ArnLike). Default: none (no condition). */
    readonly trustedPrincipalArns?: string[];
    /** ExternalId: added to the new role's trust as an sts:ExternalId condition, and passed when assuming (also an existing role). Default: none. */
    readonly externalId?: string;
    /** The new role's maximum session, in seconds, 3600 to 43200. Default 3600. Not with roleArn. */
    readonly maxSessionDuration?: number;
    /** Object actions the role has on its bucket's objects; the proof exercises exactly these. Default GetObject, PutObject, DeleteObject. */
    readonly objectActions?: ObjectAction[];
    /** Name prefix of the new bucket (3 to 37 characters). Default: derived from the component and service names. Not with bucketName. */
    readonly bucketPrefix?: string;
    /** An existing bucket: the new role's access policy is scoped to it and no bucket is created. Default: a new private bucket. */
    readonly bucketName?: string;
    /** An existing role to assume instead of creating one; its trust must name the host role or the account root. Needs bucketName. Default: a new role. */
    readonly roleArn?: string;
    /** credentialAgent only: the local Unix users (1 to 16, each existing on the host) allowed this service's agent token; the host puts them in the group rolepair-<service>. Default ["ec2-user"]. */
    readonly agentUsers?: string[];
}

/** Arguments of a SharedDevHost: the services, and the host they share. */
export interface SharedDevHostArgs extends HostSettings {
    /** The services, by name (1 to 32 of [a-z0-9-]): the AWS profile name on the host and part of every logical name. Default: none; at least one is required. */
    readonly services: Record<string, SharedService>;
}

/** What a service got: its role, its bucket, and the profile that reaches it on the host. */
export interface SharedServiceOutput {
    /** The role's ARN; resolves once its policies exist. */
    roleArn: string;
    bucketName: string;
    /** Run the service with AWS_PROFILE set to this. */
    profileName: string;
    /** credentialAgent only: how the service's processes and containers reach its role through the agent. */
    agent?: ServiceAgent;
}

const serviceKeys = [
    "trustMode",
    "trustedPrincipalArns",
    "externalId",
    "maxSessionDuration",
    "objectActions",
    "bucketPrefix",
    "bucketName",
    "roleArn",
    "agentUsers",
];

/**
 * Checks every service and the host settings; throws an InputError naming the first bad one.
 * `pathOf` names a service's settings in errors: `services.<name>.` by default; the stack program
 * names config paths (`rolepair:services[1].`).
 */
export function validateSharedDevHostArgs(
    args: SharedDevHostArgs,
    pathOf: (service: string, index: number) => string = (service) => `services.${service}.`,
) {
    const host = validateHostSettings(args);
    const entries =
        args.services && typeof args.services === "object" ? Object.entries(args.services) : [];
    if (entries.length === 0) {
        throw new InputError(
            "services",
            args.services,
            'a map of at least one service name to its settings, e.g. { "service-a": {} }',
        );
    }
    checkServiceCount("services", entries.length);
    const bucketOwners = new Map<string, string>();
    const services = entries.map(([name, settings], index) => {
        const path = pathOf(name, index);
        checkServiceName(path.slice(0, -1), name);
        for (const key of Object.keys(settings ?? {})) {
            if (!serviceKeys.includes(key)) {
                throw new InputError(
                    `${path}${key}`,
                    (settings as Record<string, unknown>)[key],
                    `no such setting; a service accepts ${serviceKeys.join(", ")}`,
                );
            }
        }
        const agent = validateAgentAccess(host.credentialAgent, {
            nameInput: path.slice(0, -1),
            name,
            usersInput: `${path}agentUsers`,
            users: settings?.agentUsers,
        });
        const { agentUsers, ...roleSettings } = settings ?? {};
        void agentUsers;
        const spec = validateServiceSettings(roleSettings, path, {
            forceDestroy: host.forceDestroy,
            noncurrentVersionExpirationDays: host.noncurrentVersionExpirationDays,
            accessLogBucket: host.accessLogBucket,
        });
        if (spec.bucketName !== undefined) {
            const owner = bucketOwners.get(spec.bucketName);
            if (owner !== undefined) {
                throw new InputError(
                    `${path}bucketName`,
                    spec.bucketName,
                    `a bucket no other service names (service ${owner} has it): each service proves isolation on its own bucket`,
                );
            }
            bucketOwners.set(spec.bucketName, name);
        }
        return { name, spec, agent };
    });
    return { host, services };
}

/**
 * One development host shared by several services, each with its own least-privilege role and
 * bucket, as they run apart in production. The host role can only assume the service roles; on the
 * host, `AWS_PROFILE=<service>` gives an application its service's role with no code change. The
 * proof shows the host denied every bucket and each service reaching its own bucket and no other.
 */
export class SharedDevHost extends pulumi.ComponentResource {
    /** ARN of the host role (the instance profile's role); resolves once its policy exists. */
    public readonly hostRoleArn: pulumi.Output<string>;
    /** Each service's role, bucket and profile name, by service name. */
    public readonly services: pulumi.Output<Record<string, SharedServiceOutput>>;
    public readonly instanceId: pulumi.Output<string>;
    public readonly publicIp: pulumi.Output<string>;
    /** The proof's report from the host; undefined when verify is false. */
    public readonly verification?: pulumi.Output<ProofReport>;
    /** What `npm run prove` reads to re-run the proof on the live host; undefined when verify is false. */
    public readonly proofTarget?: pulumi.Output<ProofTarget>;
    /** verifyTransport ssh: the private key that opens SSH on the host (secret); otherwise undefined. */
    public readonly sshPrivateKey?: pulumi.Output<string>;

    constructor(name: string, args: SharedDevHostArgs, opts?: pulumi.ComponentResourceOptions) {
        const valid = validateSharedDevHostArgs(args);
        const profilesPath = hostProfilesPath(name);
        super("rolepair:index:SharedDevHost", name, {}, opts);

        // Each service's role and bucket are named `${name}-${service}-...`.
        const { host, roles } = composeHostAndServices(
            name,
            valid.services.map(({ name: service, spec, agent }) => ({
                prefix: `${name}-${service}`,
                profileName: service,
                spec,
                agent,
            })),
            { valid: valid.host, profilesPath },
            this,
        );

        this.hostRoleArn = host.hostRoleArn;
        this.services = pulumi
            .all(roles.map((role) => pulumi.all([role.roleArn, role.bucketName])))
            .apply((resolved) =>
                Object.fromEntries(
                    valid.services.map(({ name: service, agent }, i) => [
                        service,
                        {
                            roleArn: resolved[i][0],
                            bucketName: resolved[i][1],
                            profileName: service,
                            ...(agent !== undefined
                                ? { agent: agentServiceOutput(service, agent) }
                                : {}),
                        },
                    ]),
                ),
            );
        this.instanceId = host.instance.id;
        this.publicIp = host.instance.publicIp;
        this.verification = host.report;
        this.proofTarget = host.proofTarget;
        this.sshPrivateKey = host.sshPrivateKey;

        this.registerOutputs({
            hostRoleArn: this.hostRoleArn,
            services: this.services,
            instanceId: this.instanceId,
            publicIp: this.publicIp,
            verification: this.verification,
            proofTarget: this.proofTarget,
            sshPrivateKey: this.sshPrivateKey,
        });
    }
}
