// The bucket a service role may use: private, encrypted, owner-enforced, TLS only, versioned.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { tlsOnlyBucketPolicy } from "./policies";

/** How every new bucket is kept: the same for the pair's bucket and each service's. */
export interface BucketPosture {
    forceDestroy: boolean;
    /** Days a replaced or deleted object version is kept before S3 removes it. */
    noncurrentVersionExpirationDays: number;
    /** An existing bucket that receives S3 server access logs; absent: no logging. */
    accessLogBucket?: string;
}

export interface PrivateBucketArgs extends BucketPosture {
    bucketPrefix?: string;
    sseAlgorithm: "AES256" | "aws:kms";
}

export interface PrivateBucket {
    bucket: aws.s3.Bucket;
    /** Resolves once public access is blocked and the TLS-only policy is in place. */
    ready: pulumi.Output<string>;
}

export function createPrivateBucket(
    name: string,
    args: PrivateBucketArgs,
    parent: pulumi.Resource,
): PrivateBucket {
    const opts = { parent };

    // forceDestroy lets `pulumi destroy` remove a bucket that still holds objects.
    const bucket = new aws.s3.Bucket(
        `${name}-bucket`,
        { bucketPrefix: args.bucketPrefix, forceDestroy: args.forceDestroy },
        opts,
    );

    // No ACL or policy may ever make this bucket public.
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-bucket-public-access-block`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        opts,
    );

    // ACLs disabled: the bucket owner owns every object, access is decided by policies alone.
    new aws.s3.BucketOwnershipControls(
        `${name}-bucket-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        opts,
    );

    // Encryption at rest is explicit, not left to the account default.
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-bucket-encryption`,
        {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: args.sseAlgorithm } }],
        },
        opts,
    );

    keepVersions(name, bucket, args.noncurrentVersionExpirationDays, parent);

    // Server access logs, when the operator names a bucket for them.
    if (args.accessLogBucket !== undefined) {
        new aws.s3.BucketLogging(
            `${name}-bucket-logging`,
            {
                bucket: bucket.id,
                targetBucket: args.accessLogBucket,
                targetPrefix: pulumi.interpolate`${bucket.bucket}/`,
            },
            opts,
        );
    }

    // Deny plain-HTTP requests. Created after the public access block so S3 judges it as private.
    const policy = new aws.s3.BucketPolicy(
        `${name}-bucket-policy`,
        { bucket: bucket.id, policy: pulumi.jsonStringify(bucket.arn.apply(tlsOnlyBucketPolicy)) },
        { parent, dependsOn: [publicAccessBlock] },
    );

    return {
        bucket,
        ready: pulumi.all([bucket.bucket, policy.id]).apply(([bucketName]) => bucketName),
    };
}

/** Versioning and the expiry of old versions. */
function keepVersions(
    name: string,
    bucket: aws.s3.Bucket,
    noncurrentDays: number,
    parent: pulumi.Resource,
): void {
    // Versioning: the service role may put and delete, so a compromised host could otherwise destroy
    // objects for good. A delete only hides the object until the noncurrent version expires.
    const versioning = new aws.s3.BucketVersioning(
        `${name}-bucket-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent },
    );

    // Old versions (and the delete markers left when they are gone) do not pile up for ever.
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-bucket-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-noncurrent-versions",
                    status: "Enabled",
                    filter: { prefix: "" },
                    noncurrentVersionExpiration: {
                        noncurrentDays,
                    },
                    expiration: { expiredObjectDeleteMarker: true },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        },
        { parent, dependsOn: [versioning] },
    );
}
