// Turns an AWS error seen at a given step into the likely cause, in words an operator can act on.
import { errorMessage, errorName, isAccessDenied, isUnreachable } from "../../cli/errors";
import type { StepName } from "../../../contract/report";

export interface DiagnosisContext {
    /** The service whose step failed; every diagnosis names it. */
    service: string;
    bucket: string;
    roleArn: string;
    externalId?: string;
    propagationTimeoutMs: number;
    /** Where the role ARN came from: "--role-arn" or the plan path ("--targets[2].roleArn"). */
    roleArnSource: string;
    /** Where an ExternalId is given: "--external-id" or "externalId in the plan". */
    externalIdSource: string;
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
        const bucketSource =
            ctx.roleArnSource === "--role-arn"
                ? "--bucket"
                : ctx.roleArnSource.replace(/roleArn$/, "bucket");
        return `bucket ${ctx.bucket} does not exist (service ${ctx.service}): a wrong ${bucketSource}, or the bucket was destroyed.`;
    }
    switch (step) {
        case "base-identity":
        case "profile-identity":
            return (
                (step === "profile-identity" ? `service ${ctx.service}, profile route: ` : "") +
                "no usable credentials from the host's instance profile: is the instance profile attached, and does " +
                `IMDSv2 answer (httpTokens required, hop limit high enough for this process)? (${name})`
            );
        case "base-denied":
            return `listing bucket ${ctx.bucket} of service ${ctx.service} as the host role failed with ${name} rather than AccessDenied, so the host role's denial is not proven.`;
        case "assume-role":
            return diagnoseAssumeRole(error, ctx);
        case "put-object":
        case "list-objects":
        case "get-object":
        case "delete-object":
        case "profile-round-trip":
        case "agent-round-trip":
            if (isAccessDenied(error)) {
                const action = s3ActionOfStep[step] ?? "the S3 object actions";
                const resource =
                    action === "s3:ListBucket"
                        ? `arn:aws:s3:::${ctx.bucket}`
                        : `arn:aws:s3:::${ctx.bucket}/*`;
                return (
                    `service ${ctx.service}: the target role's access policy does not allow ${action} on ${resource}, ` +
                    `or ${ctx.roleArnSource} (${ctx.roleArn}) names a role other than the bucket's target role.`
                );
            }
            return `service ${ctx.service}: S3 refused with ${name}: ${message}`;
        case "agent-credentials":
            return diagnoseAgentCredentials(error, ctx);
        default:
            return `service ${ctx.service}: ${name}: ${message}`;
    }
}

/**
 * An isolation row whose listing was answered with something other than AccessDenied: it proves
 * nothing, and a missing bucket is named as such (a mistyped or destroyed bucket is not isolated).
 */
export function diagnoseIsolation(error: unknown, service: string, bucket: string): string {
    const notProven = `so service ${service}'s isolation from it is not proven`;
    if (isUnreachable(error)) {
        return `AWS did not answer listing bucket ${bucket}, ${notProven}: check the host's outbound HTTPS and the region.`;
    }
    if (errorName(error) === "NoSuchBucket") {
        return `bucket ${bucket} does not exist, ${notProven}: a mistyped bucket in the plan, or the bucket was destroyed.`;
    }
    return `service ${service}: listing bucket ${bucket} failed with ${errorName(error)} rather than AccessDenied, so its isolation from that bucket is not proven.`;
}

function diagnoseAssumeRole(error: unknown, ctx: DiagnosisContext): string {
    const name = errorName(error);
    const message = errorMessage(error);
    if (name === "NoSuchEntity" || name === "NoSuchEntityException") {
        return `the role ${ctx.roleArn} of service ${ctx.service} does not exist: check ${ctx.roleArnSource}.`;
    }
    if (name === "ValidationError" && /DurationSeconds/i.test(message)) {
        return `--duration-seconds exceeds the MaxSessionDuration of service ${ctx.service}'s role.`;
    }
    if (name === "RegionDisabledException") {
        return `STS is not activated in this region for the account (service ${ctx.service}).`;
    }
    if (!isAccessDenied(error)) return `service ${ctx.service}: ${name}: ${message}`;
    // The role may be one the user already had, not made by the component.
    const existing =
        `If ${ctx.roleArn} is a role you already had, its trust policy must name the host role or the ` +
        "account root, and the host role needs sts:AssumeRole on it.";
    const waited = `Retried for ${Math.round(ctx.propagationTimeoutMs / 1000)} s, so this is not IAM propagation delay.`;
    // AWS names which half refused in newer messages; use it when present.
    if (/identity-based policy/i.test(message)) {
        return `service ${ctx.service}: the host role's identity policy does not allow sts:AssumeRole on ${ctx.roleArn}. ${existing} ${waited}`;
    }
    if (/resource-based policy|trust policy/i.test(message)) {
        return `service ${ctx.service}: the target role's trust policy does not allow the host role. ${existing} ${waited}`;
    }
    return (
        `service ${ctx.service}: AssumeRole into ${ctx.roleArn} was refused. Either the host role's identity policy lacks sts:AssumeRole on ${ctx.roleArn}, ` +
        "or the target role's trust policy does not name the host role (trustMode role) or the account root " +
        `(trustMode account-root, narrowed by aws:PrincipalArn if set)` +
        (ctx.externalId !== undefined
            ? ", or the ExternalId does not match"
            : `, or the trust requires an ExternalId (give ${ctx.externalIdSource})`) +
        `, or ${ctx.roleArnSource} is wrong. ${existing} ${waited}`
    );
}

/** The agent route's first step: the token file, then the agent itself. */
function diagnoseAgentCredentials(error: unknown, ctx: DiagnosisContext): string {
    const code = (error as { reason?: string }).reason ?? (error as NodeJS.ErrnoException).code;
    const message = errorMessage(error);
    if (code === "EACCES" || code === "ENOENT") {
        return (
            `service ${ctx.service}: the proof cannot read its token file (${code}): the host has not synced the agent's ` +
            `services yet, or this user is not in the service's group rolepair-${ctx.service} (the agent's users).`
        );
    }
    if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ETIMEDOUT") {
        return `service ${ctx.service}: the credential agent does not answer (${code}): is the rolepair-credential-agent unit running, and its address on lo?`;
    }
    return `service ${ctx.service}: the credential agent's answer is not credentials: ${message}`;
}
