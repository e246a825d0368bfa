// The host part: the host role (which reaches S3 only through the service roles), the instance
// with one AWS profile per service, and the on-host proof. The pair and the several-services host
// both build theirs here, so there is one posture and one verification wiring.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { VerifyTarget } from "../contract/plan";
import {
    profileParameterName,
    profilesParameterPath,
    ProfilesPathError,
    profileSyncNow,
} from "../contract/profileSync";
import type { ProofTarget } from "../contract/proofTarget";
import type { ProofReport } from "../contract/report";
import { createHost } from "./host";
import {
    ec2TrustPolicy,
    hostAssumePolicy,
    hostProfilesReadPolicy,
    parameterPathArn,
} from "./policies";
import { hostUserData, targetProfileConfig } from "./userData";
import {
    checkRegion,
    defaultObjectActions,
    InputError,
    ObjectAction,
    VerifyTransport,
} from "./validation";
import type { HostSettings, ValidHostSettings } from "./settings";
import {
    createSsmVerification,
    createVerification,
    defaultHostKeyReaderPath,
    defaultSsmRunnerPath,
    defaultVerifyBundlePath,
    readHostKey,
    remoteVerifyPath,
} from "./verification";
import { buildVerifyCommand, buildVerifyPlanCommand, verifyPlanJson } from "./verifyCommand";

export interface HostRole {
    role: aws.iam.Role;
    instanceProfile: aws.iam.InstanceProfile;
}

/**
 * The host role: only EC2 may assume it, and it gets no S3 permission at all. `permissionsBoundary`
 * is for organisations whose SCPs refuse to create a role without one.
 */
export function createHostRole(
    name: string,
    parent: pulumi.Resource,
    permissionsBoundary?: string,
): HostRole {
    const role = new aws.iam.Role(
        `${name}-host-role`,
        {
            assumeRolePolicy: JSON.stringify(ec2TrustPolicy()),
            permissionsBoundary,
            description: "EC2 host role; reaches S3 only via the target role",
        },
        { parent },
    );
    const instanceProfile = new aws.iam.InstanceProfile(
        `${name}-host-profile`,
        { role: role.name },
        { parent },
    );
    return { role, instanceProfile };
}

/** One service as the host sees it: a profile that assumes its role, and the bucket to prove. */
export interface HostedService {
    /** The AWS profile's name on the host; names the service in the proof's report. */
    profileName: string;
    roleArn: pulumi.Output<string>;
    /** The bucket's name, once it is private. */
    bucket: pulumi.Output<string>;
    externalId?: string;
    objectActions: readonly ObjectAction[];
    /** The service's policy JSON: a change re-runs the proof. */
    policies: pulumi.Output<string>[];
    /** What the proof waits for (the service's policies). */
    resources: pulumi.Resource[];
}

export interface DevHostArgs {
    hostRole: HostRole;
    services: HostedService[];
    region: pulumi.Output<string>;
    instanceType: string;
    httpPutResponseHopLimit: number;
    subnetId?: pulumi.Input<string>;
    /** TCP ports the host may reach, anywhere (HTTPS alone by default). */
    egressTcpPorts: number[];
    /** Absent: no proof, and no SSH- or SSM-related resource at all. */
    verification?: {
        transport: VerifyTransport;
        /** ssh only: who may connect, and with which key (default: a generated one). */
        sshIngressCidr?: pulumi.Input<string>;
        sshPublicKey?: pulumi.Input<string>;
        sshPrivateKey?: pulumi.Input<string>;
        /** ssh only: the host key to pin; default: read from the console (readHostKey). */
        sshHostKey?: string;
        propagationTimeoutSeconds: number;
        bundlePath: string;
        /** ssm only: the operator-side runner. */
        ssmRunnerPath: string;
        /** ssh only: the operator-side reader of the host's key, to pin it. */
        hostKeyReaderPath: string;
        /** The aws provider's profile, for the commands run on the operator's machine. */
        awsProfile?: string;
    };
    /** For the partition-aware ARN of the SSM managed policy. */
    partition: pulumi.Output<string>;
    /** For the ARN of the host's parameter path. */
    accountId: pulumi.Output<string>;
    /** The host's SSM parameter path of profiles (hostProfilesPath). */
    profilesPath: string;
}

export interface DevHost {
    /** Resolves once the host role's policy exists. */
    hostRoleArn: pulumi.Output<string>;
    instance: aws.ec2.Instance;
    report?: pulumi.Output<ProofReport>;
    /** What `prove` needs to re-run the proof; undefined when verify is off. */
    proofTarget?: pulumi.Output<ProofTarget>;
    /** ssh only: the key that opens SSH on the host, always secret. */
    sshPrivateKey?: pulumi.Output<string>;
}

/**
 * The host's parameter path, checked before any resource: the component's name is part of it
 * (InputError "name" when SSM would refuse it).
 */
export function hostProfilesPath(name: string): string {
    try {
        return profilesParameterPath(pulumi.getProject(), pulumi.getStack(), name);
    } catch (error) {
        if (!(error instanceof ProfilesPathError)) throw error;
        const input = error.part === "component name" ? "name" : error.part;
        throw new InputError(input, error.value, error.accepted);
    }
}

/** The proof's settings as both components pass them: absent when verify is off. */
export function verificationSettings(
    args: HostSettings,
    valid: ValidHostSettings,
): DevHostArgs["verification"] {
    if (!valid.verify) return undefined;
    return {
        transport: valid.verifyTransport,
        sshIngressCidr: valid.sshIngressCidr,
        sshPublicKey: args.sshPublicKey,
        sshPrivateKey: args.sshPrivateKey,
        sshHostKey: valid.sshHostKey,
        propagationTimeoutSeconds: valid.propagationTimeoutSeconds,
        bundlePath: args.verifyBundlePath ?? defaultVerifyBundlePath,
        ssmRunnerPath: args.ssmRunnerPath ?? defaultSsmRunnerPath,
        hostKeyReaderPath: args.hostKeyReaderPath ?? defaultHostKeyReaderPath,
        awsProfile: new pulumi.Config("aws").get("profile"),
    };
}

const sameActions = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x) => b.includes(x));

export function createDevHost(name: string, args: DevHostArgs, parent: pulumi.Resource): DevHost {
    const { hostRole, services } = args;

    // The host role's single permission: sts:AssumeRole on exactly the service roles.
    const hostAssume = new aws.iam.RolePolicy(
        `${name}-host-assume`,
        {
            role: hostRole.role.id,
            policy: pulumi.jsonStringify(
                pulumi.all(services.map((s) => s.roleArn)).apply(hostAssumePolicy),
            ),
        },
        { parent },
    );

    // One parameter per service's profile, under this host's own path: a service added, changed or
    // removed is a parameter created, updated or deleted, never a change to the instance.
    const profiles = pulumi
        .all([args.region, pulumi.all(services.map((s) => s.roleArn))])
        .apply(([region, roleArns]) =>
            services.map((s, i) =>
                targetProfileConfig({
                    profileName: s.profileName,
                    targetRoleArn: roleArns[i],
                    region: checkRegion("aws:region", region),
                    externalId: s.externalId,
                }),
            ),
        );
    const parameters = services.map(
        (s, i) =>
            new aws.ssm.Parameter(
                `${name}-${s.profileName}-profile-parameter`,
                {
                    name: profileParameterName(args.profilesPath, s.profileName),
                    type: "String",
                    tier: "Standard",
                    value: profiles.apply((blocks) => blocks[i]),
                    description: `rolepair: the AWS profile ${s.profileName} on the host ${name}`,
                },
                { parent },
            ),
    );
    // The host reads its own path and nothing else (GetParametersByPath is authorized on the path).
    const readProfiles = new aws.iam.RolePolicy(
        `${name}-host-read-profiles`,
        {
            role: hostRole.role.id,
            policy: pulumi.jsonStringify(
                pulumi
                    .all([args.partition, args.region, args.accountId])
                    .apply(([partition, region, account]) =>
                        hostProfilesReadPolicy(
                            parameterPathArn(partition, region, account, args.profilesPath),
                        ),
                    ),
            ),
        },
        { parent },
    );
    const profileDelivery = [readProfiles, ...parameters];
    const profilesText = profiles.apply((blocks) => blocks.join("\n"));

    const viaSsm = args.verification?.transport === "ssm";
    // SSM Run Command needs the agent's core permissions (ssm, ssmmessages, ec2messages): none is an
    // S3 action, so the host is still denied every bucket (the policy tests assert it).
    const ssmCore = viaSsm
        ? new aws.iam.RolePolicyAttachment(
              `${name}-host-ssm-core`,
              {
                  role: hostRole.role.name,
                  policyArn: pulumi.interpolate`arn:${args.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
              },
              { parent },
          )
        : undefined;

    const host = createHost(
        name,
        {
            instanceType: args.instanceType,
            instanceProfileName: hostRole.instanceProfile.name,
            httpPutResponseHopLimit: args.httpPutResponseHopLimit,
            subnetId: args.subnetId,
            egressTcpPorts: args.egressTcpPorts,
            userData: hostUserData(args.profilesPath),
            // On first boot the agent finds the profiles and may read them.
            dependsOn: profileDelivery,
            ssh:
                args.verification && !viaSsm
                    ? {
                          ingressCidr: args.verification.sshIngressCidr as pulumi.Input<string>,
                          publicKey: args.verification.sshPublicKey,
                          privateKey: args.verification.sshPrivateKey,
                      }
                    : undefined,
        },
        parent,
    );

    // Inputs checked once known (a subnet or CIDR from another resource) also gate hostRoleArn:
    // a check that fails inside a resource's input never settles that resource, so a component
    // constructed by the plugin would wait forever; the first output the engine receives fails.
    const hostRoleArn = pulumi
        .all([hostRole.role.arn, hostAssume.id, args.subnetId, args.verification?.sshIngressCidr])
        .apply(([arn]) => arn);
    if (!args.verification) return { hostRoleArn, instance: host.instance };

    const v = args.verification;
    const plan = pulumi
        .all(services.map((s) => pulumi.all([s.roleArn, s.bucket])))
        .apply((resolved) =>
            services.map((s, i): VerifyTarget => ({
                name: s.profileName,
                roleArn: resolved[i][0],
                bucket: resolved[i][1],
                ...(s.externalId !== undefined ? { externalId: s.externalId } : {}),
                objectActions: [...s.objectActions],
                profile: s.profileName,
            })),
        );
    // A changed profile re-runs the proof, which then checks the host's copy of it.
    const servicePolicies = [...services.flatMap((s) => s.policies), profilesText];
    const waitFor = [
        host.instance,
        hostRole.instanceProfile,
        hostAssume,
        ...profileDelivery,
        ...services.flatMap((s) => s.resources),
    ];
    const proofTarget = (
        transport: VerifyTransport,
        ssh?: { publicIp: pulumi.Input<string>; sshUser: string; hostKey: pulumi.Input<string> },
    ) =>
        pulumi
            .all([plan, host.instance.id, args.region, pulumi.output(ssh ?? {})])
            .apply(([targets, instanceId, region, sshFields]): ProofTarget => ({
                transport,
                instanceId,
                region,
                plan: targets,
                propagationTimeoutSeconds: v.propagationTimeoutSeconds,
                profilesPath: args.profilesPath,
                ...sshFields,
            }));
    if (viaSsm) {
        const planJson = plan.apply(verifyPlanJson);
        const ssm = createSsmVerification(
            name,
            {
                instanceId: host.instance.id,
                region: args.region,
                plan: planJson,
                propagationTimeoutSeconds: v.propagationTimeoutSeconds,
                bundlePath: v.bundlePath,
                runnerPath: v.ssmRunnerPath,
                profilesPath: args.profilesPath,
                awsProfile: v.awsProfile,
                policyJson: [...servicePolicies, planJson],
                dependsOn: [...waitFor, ssmCore as aws.iam.RolePolicyAttachment],
            },
            parent,
        );
        return {
            hostRoleArn,
            instance: host.instance,
            report: ssm.report,
            proofTarget: proofTarget("ssm"),
        };
    }

    // One service with the default actions is the pair's proof as it has always been sent, as
    // flags: the same command string, so existing stacks see no replacement of their verify step.
    // Anything else sends the plan on stdin, where no value of it is ever a shell word.
    const only = services.length === 1 ? services[0] : undefined;
    const asFlags = only !== undefined && sameActions(only.objectActions, defaultObjectActions);
    const command = pulumi.all([plan, args.region]).apply(([targets, region]) =>
        asFlags
            ? buildVerifyCommand({
                  scriptPath: remoteVerifyPath,
                  bucket: targets[0].bucket,
                  roleArn: targets[0].roleArn,
                  region,
                  externalId: targets[0].externalId,
                  profile: targets[0].profile,
                  propagationTimeoutSeconds: v.propagationTimeoutSeconds,
              })
            : buildVerifyPlanCommand({
                  scriptPath: remoteVerifyPath,
                  region,
                  propagationTimeoutSeconds: v.propagationTimeoutSeconds,
              }),
    );
    const stdin = asFlags ? undefined : plan.apply(verifyPlanJson);
    const hostKey =
        v.sshHostKey ??
        readHostKey(
            name,
            {
                instanceId: host.instance.id,
                region: args.region,
                readerPath: v.hostKeyReaderPath,
                awsProfile: v.awsProfile,
                dependsOn: [host.instance],
            },
            parent,
        );
    const verification = createVerification(
        name,
        {
            host: host.instance.publicIp,
            hostKey,
            privateKey: host.sshPrivateKey as pulumi.Output<string>,
            bundlePath: v.bundlePath,
            command,
            stdin,
            policyJson: [...servicePolicies, ...(stdin ? [stdin] : [])],
            dependsOn: waitFor,
            instanceId: host.instance.id,
            syncProfiles: { script: profileSyncNow(args.profilesPath), profiles: profilesText },
        },
        parent,
    );
    return {
        hostRoleArn,
        instance: host.instance,
        report: verification.report,
        proofTarget: proofTarget("ssh", {
            publicIp: host.instance.publicIp,
            sshUser: "ec2-user",
            hostKey,
        }),
        sshPrivateKey: host.sshPrivateKey,
    };
}
