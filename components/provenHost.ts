// The host part both components build: the host's grants, the profile parameters, the instance,
// and the proof over the chosen transport. One posture and one verification wiring for all.
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { AgentAccess } from "../contract/credentialAgent";
import type { VerifyTarget } from "../contract/plan";
import { profilesParameterPath, ProfilesPathError } from "../contract/profileSync";
import type { ProofTarget } from "../contract/proofTarget";
import type { ProofReport } from "../contract/report";
import { grantHostAccess, HostRole } from "./hostIdentity";
import { createInstance } from "./instance";
import { createProfileParameters } from "./profileParameters";
import { createProofTransport, TransportTarget } from "./proofTransport";
import type { ProofTransportSettings } from "./proofSettings";
import { hostUserData } from "./userData";
import { InputError, ObjectAction } from "./validation";

/** One service as the host sees it: a profile that assumes its role, and the bucket to prove. */
export interface ServiceOnHost {
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
    /** With the credential agent on: who may use the service's token (its profile carries it). */
    agent?: AgentAccess;
}

export interface ProvenHostArgs {
    hostRole: HostRole;
    services: ServiceOnHost[];
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
    instanceType: string;
    httpPutResponseHopLimit: number;
    subnetId?: pulumi.Input<string>;
    /** TCP ports the host may reach, anywhere (HTTPS alone by default). */
    egressTcpPorts: number[];
    /** The host's SSM parameter path of profiles (hostProfilesPath). */
    profilesPath: string;
    /** Absent: no proof, and no SSH- or SSM-related resource at all. */
    proof?: ProofTransportSettings;
    /** The credential agent serves the services: the sync step installs it, the proof covers it. */
    credentialAgent: boolean;
}

export interface ProvenHost {
    /** Resolves once the host role's policy exists. */
    hostRoleArn: pulumi.Output<string>;
    instance: aws.ec2.Instance;
    report?: pulumi.Output<ProofReport>;
    /** What `prove` needs to re-run the proof; undefined when verify is off. */
    proofTarget?: pulumi.Output<ProofTarget>;
    /** Over SSH: the key that opens SSH on the host, always secret. */
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

export function createProvenHost(
    name: string,
    args: ProvenHostArgs,
    parent: pulumi.Resource,
): ProvenHost {
    const { hostRole, services } = args;
    const grants = grantHostAccess(
        name,
        hostRole,
        { ...args, serviceRoleArns: services.map((s) => s.roleArn) },
        parent,
    );
    const profiles = createProfileParameters(name, services, args, parent);
    const profileDelivery = [grants.readProfiles, ...profiles.parameters];
    const transport = args.proof
        ? createProofTransport(args.proof, { name, parent, hostRole, partition: args.partition })
        : undefined;

    const host = createInstance(
        name,
        {
            instanceType: args.instanceType,
            instanceProfileName: hostRole.instanceProfile.name,
            httpPutResponseHopLimit: args.httpPutResponseHopLimit,
            subnetId: args.subnetId,
            egressTcpPorts: args.egressTcpPorts,
            userData: hostUserData(args.profilesPath),
            // On first boot the sync finds the profiles and may read them.
            dependsOn: profileDelivery,
            ssh: transport?.hostSsh,
        },
        parent,
    );

    // Inputs checked once known (a subnet or CIDR from another resource) also gate hostRoleArn:
    // a check that fails inside a resource's input never settles that resource, so a component
    // constructed by the plugin would wait forever; the first output the engine receives fails.
    const hostRoleArn = pulumi
        .all([hostRole.role.arn, grants.assume.id, args.subnetId, transport?.checkedInput])
        .apply(([arn]) => arn);
    if (!transport || !args.proof) return { hostRoleArn, instance: host.instance };

    const plan = provePlan(services);
    const proof = transport.prove({
        host,
        region: args.region,
        plan,
        // A changed profile re-runs the proof, which then checks the host's copy of it.
        policyJson: [...services.flatMap((s) => s.policies), profiles.profiles],
        dependsOn: [
            host.instance,
            hostRole.instanceProfile,
            grants.assume,
            ...profileDelivery,
            ...services.flatMap((s) => s.resources),
        ],
        profilesPath: args.profilesPath,
        profiles: profiles.profiles,
        credentialAgent: args.credentialAgent,
    });
    const proofTarget = pulumi
        .all([plan, host.instance.id, args.region, proof.target])
        .apply(([targets, instanceId, region, target]) =>
            proofTargetOf(target, {
                instanceId,
                region,
                plan: targets,
                propagationTimeoutSeconds: args.proof!.propagationTimeoutSeconds,
                profilesPath: args.profilesPath,
            }),
        );
    return {
        hostRoleArn,
        instance: host.instance,
        report: proof.report,
        proofTarget,
        ...(proof.sshPrivateKey !== undefined ? { sshPrivateKey: proof.sshPrivateKey } : {}),
    };
}

/**
 * The proof's plan: one entry per service, in the order given, each proving its own profile (and,
 * with the agent on, its token).
 */
function provePlan(services: readonly ServiceOnHost[]): pulumi.Output<VerifyTarget[]> {
    return pulumi.all(services.map((s) => pulumi.all([s.roleArn, s.bucket]))).apply((resolved) =>
        services.map((s, i): VerifyTarget => ({
            name: s.profileName,
            roleArn: resolved[i][0],
            bucket: resolved[i][1],
            ...(s.externalId !== undefined ? { externalId: s.externalId } : {}),
            objectActions: [...s.objectActions],
            profile: s.profileName,
            ...(s.agent !== undefined ? { agent: true } : {}),
        })),
    );
}

/** What `prove` reads: the transport's fields (the address and key over SSH) beside the plan. */
function proofTargetOf(
    target: TransportTarget,
    common: Omit<ProofTarget, "transport" | "publicIp" | "sshUser" | "hostKey">,
): ProofTarget {
    return {
        transport: target.transport,
        ...common,
        ...(target.publicIp !== undefined ? { publicIp: target.publicIp } : {}),
        ...(target.sshUser !== undefined ? { sshUser: target.sshUser } : {}),
        ...(target.hostKey !== undefined ? { hostKey: target.hostKey } : {}),
    };
}
