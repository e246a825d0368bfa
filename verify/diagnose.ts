// Turns an AWS error seen at a given step into the likely cause, in words an operator can act on.
import { errorMessage, errorName, isAccessDenied, isUnreachable } from "./errors";
import type { StepName } from "./report";

export interface DiagnosisContext {
    bucket: string;
    roleArn: string;
    externalId?: string;
    propagationTimeoutMs: number;
}

const s3ActionOfStep: Partial<Record<StepName, string>> = {
    "put-object": "s3:PutObject",
    "list-objects": "s3:ListBucket",
    "get-object": "s3:GetObject",
    "delete-object": "s3:DeleteObject",
};

export function diagnose(step: StepName, error: unknown, ctx: DiagnosisContext): string {
    if (isUnreachable(error)) {
        return "AWS did not answer: check the host's outbound HTTPS (security group, NACL, route to the internet or VPC endpoints) and the region.";
    }
    const name = errorName(error);
    const message = errorMessage(error);
    if (name === "NoSuchBucket") {
        return `bucket ${ctx.bucket} does not exist: a wrong --bucket, or the bucket was destroyed.`;
    }
    switch (step) {
        case "base-identity":
        case "profile-identity":
            return (
                "no usable credentials from the host's instance profile: is the instance profile attached, and does " +
                `IMDSv2 answer (httpTokens required, hop limit high enough for this process)? (${name})`
            );
        case "base-denied":
            return `listing the bucket as the host role failed with ${name} rather than AccessDenied.`;
        case "assume-role":
            return diagnoseAssumeRole(error, ctx);
        case "put-object":
        case "list-objects":
        case "get-object":
        case "delete-object":
        case "profile-round-trip":
            if (isAccessDenied(error)) {
                const action = s3ActionOfStep[step] ?? "the S3 object actions";
                const resource =
                    action === "s3:ListBucket"
                        ? `arn:aws:s3:::${ctx.bucket}`
                        : `arn:aws:s3:::${ctx.bucket}/*`;
                return (
                    `the target role's access policy does not allow ${action} on ${resource}, ` +
                    `or --role-arn (${ctx.roleArn}) names a role other than the bucket's target role.`
                );
            }
            return `S3 refused with ${name}: ${message}`;
        default:
            return `${name}: ${message}`;
    }
}

function diagnoseAssumeRole(error: unknown, ctx: DiagnosisContext): string {
    const name = errorName(error);
    const message = errorMessage(error);
    if (name === "NoSuchEntity" || name === "NoSuchEntityException") {
        return `the role ${ctx.roleArn} does not exist: check --role-arn.`;
    }
    if (name === "ValidationError" && /DurationSeconds/i.test(message)) {
        return "--duration-seconds exceeds the target role's MaxSessionDuration.";
    }
    if (name === "RegionDisabledException") {
        return "STS is not activated in this region for the account.";
    }
    if (!isAccessDenied(error)) return `${name}: ${message}`;
    const waited = `Retried for ${Math.round(ctx.propagationTimeoutMs / 1000)} s, so this is not IAM propagation delay.`;
    // AWS names which half refused in newer messages; use it when present.
    if (/identity-based policy/i.test(message)) {
        return `the host role's identity policy does not allow sts:AssumeRole on ${ctx.roleArn}. ${waited}`;
    }
    if (/resource-based policy|trust policy/i.test(message)) {
        return `the target role's trust policy does not allow the host role. ${waited}`;
    }
    return (
        `AssumeRole was refused. Either the host role's identity policy lacks sts:AssumeRole on ${ctx.roleArn}, ` +
        "or the target role's trust policy does not name the host role (trustMode role) or the account root " +
        `(trustMode account-root, narrowed by aws:PrincipalArn if set)` +
        (ctx.externalId !== undefined
            ? ", or the ExternalId does not match"
            : ", or the trust requires an ExternalId (pass --external-id)") +
        `, or --role-arn is wrong. ${waited}`
    );
}
