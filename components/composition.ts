// The composition both components are: one host role, a service role part per service, and the
// host part that gives each service its profile and proves them all. AssumableRolePair is its
// one-service case, SharedDevHost its several-services case; only names and outputs differ.
// Each component still declares its own outputs and Args: Pulumi's component analyzer reads only
// the members of a class that directly extends ComponentResource, and the Args' docs differ.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { AgentAccess } from "../contract/credentialAgent";
import { createHostRole } from "./hostIdentity";
import { createProvenHost, ProvenHost } from "./provenHost";
import { createServiceRole, ServiceRole, ServiceRoleSpec } from "./serviceRole";
import type { ValidHostSettings } from "./hostSettings";
import { checkDefaultProviderRegion } from "./providerRegion";

/** One service to put on the host. */
export interface ServiceToHost {
    /**
     * Prefix of the service's logical names: the pair's `<name>` (the names it has always had), a
     * SharedDevHost service's `<name>-<service>`.
     */
    prefix: string;
    /** The AWS profile's name on the host. */
    profileName: string;
    spec: ServiceRoleSpec;
    /** With the credential agent on: who may use the service's token. */
    agent?: AgentAccess;
}

/** The host's settings, validated. */
export interface HostToBuild {
    valid: ValidHostSettings;
    /** The host's SSM parameter path of profiles (hostProfilesPath, checked before any resource). */
    profilesPath: string;
}

export interface Composition {
    host: ProvenHost;
    /** Each service's role and bucket, in the order the services were given. */
    roles: ServiceRole[];
}

/** Builds the host role, then each service's role and bucket, then the host that reaches them. */
export function composeHostAndServices(
    name: string,
    services: ServiceToHost[],
    hostToBuild: HostToBuild,
    parent: pulumi.Resource,
): Composition {
    const { valid } = hostToBuild;
    checkDefaultProviderRegion(parent);
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const region = aws.getRegionOutput({}, { parent }).region;

    const hostRole = createHostRole(name, parent, valid.permissionsBoundary);
    const roles = services.map(({ prefix, spec }) =>
        createServiceRole(
            prefix,
            spec,
            {
                hostRoleArn: hostRole.role.arn,
                partition,
                accountId,
                permissionsBoundary: valid.permissionsBoundary,
            },
            parent,
        ),
    );
    const hosted = services.map(({ profileName, spec, agent }, i) => {
        const role = roles[i];
        return {
            profileName,
            roleArn: role.roleArn,
            bucket: role.bucketReady,
            externalId: spec.externalId,
            objectActions: spec.objectActions,
            // An existing role has no policies of ours to watch.
            policies: role.trustPolicy ? [role.trustPolicy, role.accessPolicy!] : [],
            resources: role.resources,
            ...(agent !== undefined ? { agent } : {}),
        };
    });
    const host = createProvenHost(
        name,
        {
            hostRole,
            services: hosted,
            region,
            instanceType: valid.instanceType,
            httpPutResponseHopLimit: valid.httpPutResponseHopLimit,
            subnetId: valid.subnetId,
            egressTcpPorts: valid.egressTcpPorts,
            partition,
            accountId,
            profilesPath: hostToBuild.profilesPath,
            proof: valid.proof,
            credentialAgent: valid.credentialAgent,
        },
        parent,
    );
    return { host, roles };
}
