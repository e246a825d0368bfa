// The bucket the target role may use: private, encrypted, owner-enforced, TLS only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { tlsOnlyBucketPolicy } from "./policies";

export interface PrivateBucketArgs {
    bucketPrefix?: string;
    forceDestroy: boolean;
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
