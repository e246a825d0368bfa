// Policy documents as pure functions: ARNs in, a typed document out. No resources are created
// here, so the same builders serve the component, the IAM-simulator tests and the emulator fixtures.
import type * as aws from "@pulumi/aws";

import type { ObjectAction, TrustMode } from "./validation";

const version = "2012-10-17" as const;

/** Trust for the host role: only the EC2 service may assume it (to hand it to the instance). */
export function ec2TrustPolicy(): aws.iam.PolicyDocument {
    return {
        Version: version,
        Statement: [
            {
                Sid: "Ec2AssumesHostRole",
                Effect: "Allow",
                Principal: { Service: "ec2.amazonaws.com" },
                Action: "sts:AssumeRole",
            },
        ],
    };
}

export interface ServiceTrustArgs {
    trustMode: TrustMode;
    /** The host role's ARN; the principal in "role" mode. */
    hostRoleArn: string;
    /** arn:<partition>:iam::<account>:root; the principal in "account-root" mode. */
    accountRootArn: string;
    /** "account-root" only: narrows the trust with an aws:PrincipalArn condition. */
    trustedPrincipalArns?: readonly string[];
    /** Adds an sts:ExternalId condition in either mode. */
    externalId?: string;
}

/**
 * Trust for a service role. "role" names the host role and nothing broader; "account-root"
 * delegates the decision to identity policies in this account (any principal holding
 * sts:AssumeRole on the role may assume it), optionally narrowed by aws:PrincipalArn.
 */
export function serviceTrustPolicy(args: ServiceTrustArgs): aws.iam.PolicyDocument {
    const principal = args.trustMode === "role" ? args.hostRoleArn : args.accountRootArn;
    const condition: Record<string, Record<string, string | string[]>> = {};
    if (args.trustMode === "account-root" && args.trustedPrincipalArns?.length) {
        condition["ArnLike"] = { "aws:PrincipalArn": [...args.trustedPrincipalArns] };
    }
    if (args.externalId !== undefined) {
        condition["StringEquals"] = { "sts:ExternalId": args.externalId };
    }
    return {
        Version: version,
        Statement: [
            {
                Sid:
                    args.trustMode === "role"
                        ? "HostRoleAssumesTarget"
                        : "AccountPrincipalsAssumeTarget",
                Effect: "Allow",
                Principal: { AWS: principal },
                Action: "sts:AssumeRole",
                ...(Object.keys(condition).length ? { Condition: condition } : {}),
            },
        ],
    };
}

/**
 * The host role's only permission: assume the service roles, in one statement. One ARN is written
 * as a string, not a list of one: the policy text a stack holds stays the same (the stability
 * snapshot pins it).
 */
export function hostAssumePolicy(targetRoleArns: readonly string[]): aws.iam.PolicyDocument {
    if (targetRoleArns.length === 0)
        throw new Error("hostAssumePolicy needs at least one role ARN");
    return {
        Version: version,
        Statement: [
            {
                Sid: "AssumeTargetRole",
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Resource: targetRoleArns.length === 1 ? targetRoleArns[0] : [...targetRoleArns],
            },
        ],
    };
}

/**
 * The host's read of its own profiles: ssm:GetParametersByPath, which IAM authorizes against the
 * path in the request (not the parameters returned), on exactly this host's path. No wildcard: the
 * host cannot read another host's path, nor a single parameter by name, nor anything in S3.
 */
export function hostProfilesReadPolicy(pathArn: string): aws.iam.PolicyDocument {
    return {
        Version: version,
        Statement: [
            {
                Sid: "ReadOwnProfiles",
                Effect: "Allow",
                Action: "ssm:GetParametersByPath",
                Resource: pathArn,
            },
        ],
    };
}

/** arn:<partition>:ssm:<region>:<account>:parameter/<path without its leading slash> */
export function parameterPathArn(
    partition: string,
    region: string,
    accountId: string,
    path: string,
): string {
    return `arn:${partition}:ssm:${region}:${accountId}:parameter/${path.replace(/^\//, "")}`;
}

/** The target role's access: list this bucket, and the given object actions on its objects. */
export function serviceAccessPolicy(
    bucketArn: string,
    objectActions: readonly ObjectAction[],
): aws.iam.PolicyDocument {
    return {
        Version: version,
        Statement: [
            { Sid: "ListTheBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
            {
                Sid: "UseTheBucketObjects",
                Effect: "Allow",
                Action: [...objectActions],
                Resource: `${bucketArn}/*`,
            },
        ],
    };
}

/** Bucket policy: refuse any request that does not arrive over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): aws.iam.PolicyDocument {
    return {
        Version: version,
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** arn:<partition>:iam::<account>:root */
export function accountRootArn(partition: string, accountId: string): string {
    return `arn:${partition}:iam::${accountId}:root`;
}
