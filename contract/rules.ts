// The input rules every end shares: the components (before any resource), verify's plan and
// flags, and the host's own programs (the profile sync, the credential agent). One copy, so a
// value the components refuse is refused on the host too. Every pattern is anchored without the
// `m` flag: `$` then matches only at the very end of the text, never before a line break.

/** One rule: the pattern a value must match, and the words an error uses for what is accepted. */
export interface Rule {
    readonly pattern: RegExp;
    readonly accepted: string;
}

/** AWS partitions the components build ARNs for: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b. */
export const partitionPattern = /^aws(?:-cn|-us-gov|-iso|-iso-b)?$/;

/** The partition alternation, for rules that embed it in an ARN. */
const partition = "aws(?:-cn|-us-gov|-iso|-iso-b)?";

export const accountIdPattern = /^\d{12}$/;

/** An existing IAM role's ARN, no wildcard: the host role gets sts:AssumeRole on exactly it. */
export const roleArnRule: Rule = {
    pattern: new RegExp(`^arn:${partition}:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$`),
    accepted: "an IAM role ARN such as arn:aws:iam::123456789012:role/service-c (no wildcards)",
};

/** A managed policy ARN (customer or AWS managed). */
export const policyArnRule: Rule = {
    pattern: new RegExp(`^arn:${partition}:iam::(?:\\d{12}|aws):policy/[\\w+=,.@/-]{1,512}$`),
    accepted: "a managed policy ARN such as arn:aws:iam::123456789012:policy/DevBoundary",
};

/** An IAM principal ARN (role, user, assumed-role session or root), `*` allowed in the name. */
export const principalArnPattern = new RegExp(
    `^arn:${partition}:(?:iam|sts)::\\d{12}:(?:role|user|assumed-role|root)(?:/[\\w+=,.@*/-]+)?$`,
);

/** STS ExternalId (AssumeRole's documented pattern and length). */
export const externalIdRule: Rule = {
    pattern: /^[\w+=,.@:/-]{2,1224}$/,
    accepted: "2 to 1224 characters of letters, digits and +=,.@:/-_",
};

/** An AWS region such as us-east-1 or us-gov-west-1; bounded (the longest is under 20 characters). */
export const regionRule: Rule = {
    pattern: /^[a-z]{2}(?:-[a-z]{1,10}){1,3}-\d{1,2}$/,
    accepted: "an AWS region such as us-east-1",
};

/**
 * An existing S3 bucket's name: S3's rules without dots (a dotted name breaks TLS for
 * virtual-hosted-style requests, and no bucket the components make has one), not the xn-- prefix
 * nor the -s3alias suffix S3 reserves.
 */
export const bucketNameRule: Rule = {
    pattern: /^(?!xn--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$(?<!-s3alias)/,
    accepted: "an existing S3 bucket name: 3 to 63 lowercase letters, digits and hyphens",
};

/** A bucket name prefix: S3 leaves 37 characters for it beside the generated suffix. */
export const bucketPrefixRule: Rule = {
    pattern: /^(?!xn--)[a-z0-9][a-z0-9-]{2,36}$/,
    accepted:
        "3 to 37 characters of lowercase letters, digits and hyphens, starting with a letter or digit",
};

/** A service name: the AWS profile's name on the host and part of every logical name. */
export const serviceNameRule: Rule = {
    pattern: /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
    accepted:
        "1 to 32 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen",
};

/** A name for an AWS config profile written on the host. */
export const profileNameRule: Rule = {
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    accepted: "1 to 64 characters of letters, digits and _.-",
};

/**
 * Profile names the AWS SDKs and CLI treat specially, with what writing `[profile NAME]` under
 * them would do on the host. Other section words of the config file (`sso-session`, `services`)
 * and JavaScript's other prototype names (`constructor`, `toString`) are ordinary profiles to the
 * SDK's config loader (test/unit/reservedNames.test.ts asks it), so they are not refused.
 */
export const reservedProfileNames: ReadonlyMap<string, string> = new Map([
    [
        "default",
        "the SDKs and the CLI use the default profile whenever AWS_PROFILE is unset, so every process of ec2-user would silently run as this role",
    ],
    [
        "__proto__",
        'the AWS SDK for JavaScript refuses a config file with this profile ("Found invalid profile name"), so every SDK process on the host would fail',
    ],
]);

/** Why `value` breaks `rule`, or undefined when it keeps it. */
export function ruleProblem(rule: Rule, value: unknown): string | undefined {
    return typeof value === "string" && rule.pattern.test(value) ? undefined : rule.accepted;
}

/**
 * Why `name` cannot be a profile on the host under `rule` (profileNameRule or serviceNameRule):
 * the accepted text, with the reason when the name is a reserved one; undefined when it can.
 */
export function profileNameProblem(
    value: unknown,
    rule: Rule = profileNameRule,
): string | undefined {
    if (typeof value !== "string" || !rule.pattern.test(value)) return rule.accepted;
    const why = reservedProfileNames.get(value);
    return why === undefined ? undefined : `${rule.accepted}, except ${value}: ${why}`;
}

/**
 * A local Unix user the host lets use a service's agent token (a member of the service's group):
 * the portable user-name rule of shadow-utils, at most 32 characters.
 */
export const localUserRule: Rule = {
    pattern: /^[a-z_][a-z0-9_-]{0,31}$/,
    accepted:
        "a Unix user name: 1 to 32 characters of lowercase letters, digits, '_' and '-', starting with a letter or '_'",
};
