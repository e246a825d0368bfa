// The host's identity: its role, its instance profile, and every grant it holds. Read here, in one
// place, why the host is denied every bucket: EC2 alone may assume the role; it may only assume
// the service roles, read its own profile parameters and, over SSM, run the SSM agent (whose
// managed policy holds no S3 action; the policy tests assert it).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import {
    ec2TrustPolicy,
    hostAssumePolicy,
    hostProfilesReadPolicy,
    parameterPathArn,
} from "./policies";

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

export interface HostGrantArgs {
    serviceRoleArns: pulumi.Input<string>[];
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
    /** The host's SSM parameter path of profiles. */
    profilesPath: string;
}

export interface HostGrants {
    /** sts:AssumeRole on exactly the service roles. */
    assume: aws.iam.RolePolicy;
    /** GetParametersByPath on the host's own profiles path. */
    readProfiles: aws.iam.RolePolicy;
}

/** The host role's permissions: the service roles to assume, and its own profiles to read. */
export function grantHostAccess(
    name: string,
    hostRole: HostRole,
    args: HostGrantArgs,
    parent: pulumi.Resource,
): HostGrants {
    const assume = new aws.iam.RolePolicy(
        `${name}-host-assume`,
        {
            role: hostRole.role.id,
            policy: pulumi.jsonStringify(pulumi.all(args.serviceRoleArns).apply(hostAssumePolicy)),
        },
        { parent },
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
    return { assume, readProfiles };
}

/** SSM Run Command needs the agent's core permissions (ssm, ssmmessages, ec2messages): no S3 action. */
export function attachSsmAgentPolicy(
    name: string,
    hostRole: HostRole,
    partition: pulumi.Output<string>,
    parent: pulumi.Resource,
): aws.iam.RolePolicyAttachment {
    return new aws.iam.RolePolicyAttachment(
        `${name}-host-ssm-core`,
        {
            role: hostRole.role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
        },
        { parent },
    );
}
