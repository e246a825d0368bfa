// The service role part: one service's role (trusted per trustMode, least-privilege on one bucket)
// and its bucket. Either may already exist: an existing bucket is only referenced (the new role's
// policy is scoped to it), an existing role is only assumed (nothing is created for it).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { BucketPosture, createPrivateBucket } from "./bucket";
import { accountRootArn, serviceAccessPolicy, serviceTrustPolicy } from "./policies";
import type { ObjectAction, TrustMode } from "./validation";

/** A service's validated settings, and how its new bucket (if any) is kept. */
export interface ServiceRoleSpec extends BucketPosture {
    trustMode: TrustMode;
    trustedPrincipalArns?: string[];
    externalId?: string;
    maxSessionDuration: number;
    objectActions: ObjectAction[];
    /** An existing bucket to scope the role to; absent: a new private bucket. */
    bucketName?: string;
    bucketPrefix?: string;
    /** An existing role to assume; absent: a new role. Needs bucketName. */
    roleArn?: string;
}

/** What every service role is built against: the one host role and the account. */
export interface ServiceRoleContext {
    hostRoleArn: pulumi.Output<string>;
    /** Policy ARN set as the permissions boundary of every role created. */
    permissionsBoundary?: string;
    partition: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
}

export interface ServiceRole {
    /** Resolves once the role's trust and access policy exist (or at once, for an existing role). */
    roleArn: pulumi.Output<string>;
    bucketName: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    /** The bucket's name, once public access is blocked and its policy applied. */
    bucketReady: pulumi.Output<string>;
    /** The role's trust and access policies as applied; absent for an existing role. */
    trustPolicy?: pulumi.Output<string>;
    accessPolicy?: pulumi.Output<string>;
    /** The resources the proof must wait for. */
    resources: pulumi.Resource[];
}

export function createServiceRole(
    name: string,
    spec: ServiceRoleSpec,
    context: ServiceRoleContext,
    parent: pulumi.Resource,
): ServiceRole {
    const { bucketName, bucketArn, bucketReady } = serviceBucket(name, spec, context, parent);

    if (spec.roleArn !== undefined) {
        // Someone else's role: its trust must name the host role or the account root, which the
        // proof shows. Nothing is created, so nothing here can loosen it.
        return {
            roleArn: pulumi.output(spec.roleArn),
            bucketName,
            bucketArn,
            bucketReady,
            resources: [],
        };
    }

    // The role: trusted per trustMode, may use its bucket and nothing else.
    const trustPolicy = pulumi.jsonStringify(
        pulumi
            .all([context.hostRoleArn, context.partition, context.accountId])
            .apply(([hostRoleArn, partition, account]) =>
                serviceTrustPolicy({
                    trustMode: spec.trustMode,
                    hostRoleArn,
                    accountRootArn: accountRootArn(partition, account),
                    trustedPrincipalArns: spec.trustedPrincipalArns,
                    externalId: spec.externalId,
                }),
            ),
    );
    // Logical names say "target" (the walkthrough's word for a service role): renaming them would
    // replace the role in every existing stack.
    const role = new aws.iam.Role(
        `${name}-target-role`,
        {
            assumeRolePolicy: trustPolicy,
            maxSessionDuration: spec.maxSessionDuration,
            permissionsBoundary: context.permissionsBoundary,
            description: `Least-privilege access to one bucket; assumed by the host role (${spec.trustMode} trust)`,
        },
        { parent },
    );
    const accessPolicy = pulumi.jsonStringify(
        bucketArn.apply((arn) => serviceAccessPolicy(arn, spec.objectActions)),
    );
    const access = new aws.iam.RolePolicy(
        `${name}-target-access`,
        { role: role.id, policy: accessPolicy },
        { parent },
    );

    return {
        // Gated on its policy (as pulumi-eks does): a consumer never sees a half-made role.
        roleArn: pulumi.all([role.arn, access.id]).apply(([arn]) => arn),
        bucketName,
        bucketArn,
        bucketReady,
        trustPolicy,
        accessPolicy,
        resources: [access],
    };
}

/** The service's bucket: the existing one it names, or a new private one. */
function serviceBucket(
    name: string,
    spec: ServiceRoleSpec,
    context: ServiceRoleContext,
    parent: pulumi.Resource,
): Pick<ServiceRole, "bucketName" | "bucketArn" | "bucketReady"> {
    if (spec.bucketName !== undefined) {
        const bucketName = pulumi.output(spec.bucketName);
        return {
            bucketName,
            bucketArn: pulumi.interpolate`arn:${context.partition}:s3:::${spec.bucketName}`,
            bucketReady: bucketName,
        };
    }
    const bucket = createPrivateBucket(
        name,
        {
            bucketPrefix: spec.bucketPrefix,
            forceDestroy: spec.forceDestroy,
            noncurrentVersionExpirationDays: spec.noncurrentVersionExpirationDays,
            accessLogBucket: spec.accessLogBucket,
            sseAlgorithm: "AES256",
        },
        parent,
    );
    return {
        bucketName: bucket.bucket.bucket,
        bucketArn: bucket.bucket.arn,
        bucketReady: bucket.ready,
    };
}
