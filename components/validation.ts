// Input validation for AssumableRolePair. Every check throws synchronously, before any
// resource is registered, with a message that names the input, the value and what is accepted.
import { authorizedKeyLine, parseHostKeyLine } from "../contract/hostKeys";
import { agentServiceNameRule, maxAgentUsers } from "../contract/credentialAgent";
import { maxServicesPerHost } from "../contract/plan";
import {
    bucketNameRule,
    bucketPrefixRule,
    externalIdRule,
    localUserRule,
    policyArnRule,
    principalArnPattern,
    profileNameProblem,
    profileNameRule,
    regionRule,
    reservedProfileNames,
    roleArnRule,
    ruleProblem,
    serviceNameRule,
    type Rule,
} from "../contract/rules";
import {
    allowedObjectActions,
    defaultObjectActions,
    ObjectAction,
} from "../contract/objectActions";

// The object-action rules live beside verify's plan (which the host bundle carries); the
// components re-export them so their callers keep one import.
export { allowedObjectActions, defaultObjectActions, ObjectAction, reservedProfileNames };

/** The value when it keeps `rule` (contract/rules.ts), else an InputError naming `input`. */
function checkRule(input: string, value: unknown, rule: Rule): string {
    if (ruleProblem(rule, value) === undefined) return value as string;
    throw new InputError(input, value, rule.accepted);
}

/**
 * How a service role's trust policy names who may assume it: "role" names the host role's ARN,
 * "account-root" the account (any principal whose identity policy allows it). A named constant
 * rather than an inline union, so Pulumi's schema analyzer turns it into an enum.
 */
export const TrustMode = { Role: "role", AccountRoot: "account-root" } as const;
export type TrustMode = (typeof TrustMode)[keyof typeof TrustMode];
export const trustModes: readonly TrustMode[] = Object.values(TrustMode);

/**
 * How the proof reaches the host: "ssh" (the operator's CIDR may SSH in; a key pair) or "ssm"
 * (Systems Manager Run Command: no inbound port, no forced public address, no key).
 */
export const VerifyTransport = { Ssh: "ssh", Ssm: "ssm" } as const;
export type VerifyTransport = (typeof VerifyTransport)[keyof typeof VerifyTransport];
export const verifyTransports: readonly VerifyTransport[] = Object.values(VerifyTransport);

export function checkVerifyTransport(input: string, value: unknown): VerifyTransport {
    if (typeof value === "string" && (verifyTransports as readonly string[]).includes(value)) {
        return value as VerifyTransport;
    }
    throw new InputError(
        input,
        value,
        `one of ${verifyTransports.map((m) => `"${m}"`).join(", ")}`,
    );
}

export const sessionDurationBounds = { min: 3600, max: 43200 } as const;
export const hopLimitBounds = { min: 1, max: 64 } as const;

/**
 * What an error says about a value it must not print whole (a key that failed a check): shown
 * as is, unquoted, in place of the value.
 */
export class WithheldValue {
    constructor(public readonly description: string) {}
}

/**
 * Whether text looks like private key material: a PEM or OpenSSH armour line, or the base64 of
 * OpenSSH's private key header ("openssh-key-v1") pasted without its armour.
 */
export function looksLikePrivateKey(text: string): boolean {
    return /-----BEGIN|PRIVATE KEY|b3BlbnNzaC1rZXktdjE/.test(text);
}

/** The value as an error shows it: JSON, unless it is withheld or looks like a private key. */
function shownValue(value: unknown): string {
    if (value instanceof WithheldValue) return value.description;
    // A missing key (or one misspelt in the stack file) reads as absent, not as the word undefined.
    if (value === undefined) return "not set";
    const json = JSON.stringify(value);
    if (json !== undefined && looksLikePrivateKey(json)) {
        return "(a value that looks like a private key, not shown)";
    }
    return json;
}

/** Thrown for a bad input; `input` is the argument or config key that was wrong. */
export class InputError extends Error {
    constructor(
        public readonly input: string,
        value: unknown,
        accepted: string,
    ) {
        super(`Invalid ${input}: ${shownValue(value)}. Accepted: ${accepted}.`);
        this.name = "InputError";
    }
}

/**
 * The error, its stack cut to its first line, for a check that fails inside an apply. There the
 * frames are the SDK's apply machinery, nothing of the caller's program, and the failure reaches
 * the Node SDK's handler for unhandled rejections, which formats it with
 * util.inspect(error, { colors: true }). On Node 20.20 that call never returns for a frame in
 * @pulumi/pulumi's top-level files, which ts-node's source maps name node_modules/@pulumi/output.ts
 * (nodejs/node#64011, fixed in later Node releases): it grows the string until V8 refuses it, and
 * the plugin spent 30 to 190 s of CPU and 3.5 GB before `pulumi up` reported a bad subnetId.
 */
export function withoutStackFrames(error: unknown): unknown {
    if (error instanceof Error) {
        error.stack = `${error.name}: ${error.message}`;
    }
    return error;
}

/**
 * A value that failed a key check, as an error may show it: its key type word when it starts
 * with one, and its length; never the rest (a private key pasted by mistake, even with
 * `--secret`, would otherwise be printed JSON-escaped, where the CLI's masking cannot find it).
 */
export function keyCheckValue(value: unknown): unknown {
    if (typeof value !== "string") return value;
    if (looksLikePrivateKey(value)) {
        return new WithheldValue("(a value that looks like a private key, not shown)");
    }
    const type =
        /^(?:ssh-[a-z0-9-]{1,20}|ecdsa-sha2-[a-z0-9]{1,12}|sk-[a-z0-9@.-]{1,40})(?=\s|$)/.exec(
            value.trim(),
        );
    return new WithheldValue(
        `(${type ? `"${type[0]} …", ` : ""}${value.length} characters, not shown)`,
    );
}

export function checkTrustMode(input: string, value: unknown): TrustMode {
    if (typeof value === "string" && (trustModes as readonly string[]).includes(value)) {
        return value as TrustMode;
    }
    throw new InputError(input, value, `one of ${trustModes.map((m) => `"${m}"`).join(", ")}`);
}

export function checkIntegerInRange(
    input: string,
    value: unknown,
    bounds: { min: number; max: number },
): number {
    if (
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= bounds.min &&
        value <= bounds.max
    ) {
        return value;
    }
    throw new InputError(input, value, `an integer from ${bounds.min} to ${bounds.max}`);
}

/** The widest SSH source allowed: a /16 is 65,536 addresses; anything wider is a large slice of the internet. */
export const minSshPrefixLength = 16;

/**
 * An IPv4 CIDR such as 203.0.113.7/32. 0.0.0.0/0 is refused, and so is any prefix shorter than /16
 * (0.0.0.0/1 is half the internet): SSH is opened to the operator, not to the world.
 */
export function checkSshIngressCidr(input: string, value: unknown): string {
    const accepted = `an IPv4 CIDR such as 203.0.113.7/32 (your address), never 0.0.0.0/0, and no wider than /${minSshPrefixLength}`;
    if (typeof value !== "string") throw new InputError(input, value, accepted);
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!match) throw new InputError(input, value, accepted);
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32 || prefix === 0) {
        throw new InputError(input, value, accepted);
    }
    if (prefix < minSshPrefixLength) {
        throw new InputError(
            input,
            value,
            `${accepted}: a /${prefix} opens SSH to ${(2 ** (32 - prefix)).toLocaleString("en-US")} addresses`,
        );
    }
    return value;
}

/**
 * A bucket name prefix: S3 allows 37 characters for a prefix. Dots are refused because they
 * break TLS for virtual-hosted-style requests.
 */
export function checkBucketPrefix(input: string, value: unknown): string {
    return checkRule(input, value, bucketPrefixRule);
}

/**
 * What narrowing means for a wildcard in a trusted principal: at least this many literal
 * characters of path or name before the first `*` (`role/app-*`, `role/ci/*`). Fewer admit
 * (nearly) every principal of the type: `role/*-*`, `role/*a` and `role/*\/*x` each match almost
 * any role name, whatever literal characters follow the first wildcard.
 */
export const minPrincipalLiteralPrefix = 3;

/**
 * An IAM principal ARN (role, user, assumed-role session or root). `*` is allowed in the path or
 * name after a literal prefix of at least minPrincipalLiteralPrefix characters.
 */
export function checkPrincipalArn(input: string, value: unknown): string {
    if (
        typeof value === "string" &&
        principalArnPattern.test(value) &&
        !/^arn:[^:]+:[^:]+::\d{12}:\*/.test(value)
    ) {
        const resource = value.slice(value.indexOf("/") + 1);
        const wildcard = resource.indexOf("*");
        if (value.includes("/") && wildcard >= 0 && wildcard < minPrincipalLiteralPrefix) {
            throw new InputError(
                input,
                value,
                `a principal ARN that narrows the trust: a wildcard needs at least ${minPrincipalLiteralPrefix} literal characters of path or name before it (${JSON.stringify(resource.slice(0, wildcard))} has ${wildcard}), or it admits nearly every principal of that type, so it narrows nothing; name the host role, or a prefix such as role/app-*`,
            );
        }
        return value;
    }
    throw new InputError(
        input,
        value,
        "an IAM principal ARN such as arn:aws:iam::123456789012:role/app (wildcards only in the name)",
    );
}

export function checkPrincipalArns(input: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        throw new InputError(input, value, "a non-empty list of IAM principal ARNs");
    }
    return value.map((arn, i) => checkPrincipalArn(`${input}[${i}]`, arn));
}

/** STS ExternalId: 2 to 1224 characters of [\w+=,.@:/-]. */
export function checkExternalId(input: string, value: unknown): string {
    return checkRule(input, value, externalIdRule);
}

export function checkObjectActions(input: string, value: unknown): ObjectAction[] {
    const accepted = `a non-empty list drawn from ${allowedObjectActions.join(", ")} (no wildcards)`;
    if (!Array.isArray(value) || value.length === 0) throw new InputError(input, value, accepted);
    for (const [i, action] of value.entries()) {
        if (!(allowedObjectActions as readonly unknown[]).includes(action)) {
            throw new InputError(`${input}[${i}]`, action, accepted);
        }
    }
    return [...new Set(value as ObjectAction[])];
}

/** An EC2 instance type such as t3.micro or t4g.small. */
export function checkInstanceType(input: string, value: unknown): string {
    if (typeof value === "string" && /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value)) return value;
    throw new InputError(input, value, "an EC2 instance type such as t3.micro");
}

/** The name when it can be a profile on the host under `rule`, else an InputError naming why. */
function checkHostProfileName(input: string, value: unknown, rule: Rule): string {
    const problem = profileNameProblem(value, rule);
    if (problem === undefined) return value as string;
    throw new InputError(input, value, problem);
}

/** A name for the AWS config profile written on the host. */
export function checkProfileName(input: string, value: unknown): string {
    return checkHostProfileName(input, value, profileNameRule);
}

export function checkSubnetId(input: string, value: unknown): string {
    if (typeof value === "string" && /^subnet-[0-9a-f]{8,17}$/.test(value)) return value;
    throw new InputError(input, value, "a subnet id such as subnet-0123456789abcdef0");
}

/** An OpenSSH public key line. */
export function checkSshPublicKey(input: string, value: unknown): string {
    if (
        typeof value === "string" &&
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(value.trim())
    ) {
        return value.trim();
    }
    throw new InputError(
        input,
        keyCheckValue(value),
        'an OpenSSH public key line such as "ssh-ed25519 AAAA... me@laptop"',
    );
}

/**
 * A host key to pin: exactly one plain, whole ECDSA or Ed25519 public key (parseHostKeyLine),
 * returned as "<type> <base64>" (comment and known_hosts hosts dropped).
 */
export function checkSshHostKey(input: string, value: unknown): string {
    const key = typeof value === "string" ? parseHostKeyLine(value) : undefined;
    if (key) return authorizedKeyLine(key);
    throw new InputError(
        input,
        keyCheckValue(value),
        'exactly one host public key on one line, "<type> <base64> [comment]" (or a known_hosts line without a marker), of type ecdsa-sha2-nistp256/384/521 or ssh-ed25519, such as the content of /etc/ssh/ssh_host_ecdsa_key.pub; not an @revoked or @cert-authority line, not two keys, not ssh-rsa (pulumi-command restricts the handshake to the pinned type, and Amazon Linux 2023 refuses ssh-rsa signatures)',
    );
}

export function checkBoolean(input: string, value: unknown): boolean {
    if (typeof value === "boolean") return value;
    throw new InputError(input, value, "true or false");
}

/** A service name: the AWS profile's name on the host and part of every logical name. */
export function checkServiceName(input: string, value: unknown): string {
    // The service's name is its profile's name on the host.
    return checkHostProfileName(input, value, serviceNameRule);
}

/** At most maxServicesPerHost services on one host: the limit verify and the SSM runner enforce too. */
export function checkServiceCount(input: string, count: number): void {
    if (count <= maxServicesPerHost) return;
    throw new InputError(
        input,
        new WithheldValue(`(${count} services)`),
        `at most ${maxServicesPerHost} services on one host (maxServicesPerHost: the isolation proof grows as n×(n−1), and the proof's plan and report must fit what SSM carries); split them over several hosts`,
    );
}

/** An existing bucket's name (S3's rules; dots refused, as for bucketPrefix: they break TLS). */
export function checkBucketName(input: string, value: unknown): string {
    return checkRule(input, value, bucketNameRule);
}

/** An existing IAM role's ARN, no wildcard: the host role gets sts:AssumeRole on exactly it. */
export function checkRoleArn(input: string, value: unknown): string {
    return checkRule(input, value, roleArnRule);
}

/** A managed policy ARN (customer or AWS managed), e.g. for a permissions boundary. */
export function checkPolicyArn(input: string, value: unknown): string {
    return checkRule(input, value, policyArnRule);
}

/** A non-empty list of TCP ports, each 1 to 65535, no duplicates. */
export function checkPorts(input: string, value: unknown): number[] {
    const accepted = "a non-empty list of TCP ports from 1 to 65535, such as [443]";
    if (!Array.isArray(value) || value.length === 0) throw new InputError(input, value, accepted);
    for (const [i, port] of value.entries()) {
        if (!(typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535)) {
            throw new InputError(`${input}[${i}]`, port, accepted);
        }
    }
    return [...new Set(value as number[])];
}

/** An AWS region such as us-east-1 or us-gov-west-1: it is written into the host's user data. */
export function checkRegion(input: string, value: unknown): string {
    return checkRule(input, value, regionRule);
}

/**
 * A service's name when the credential agent serves it: a profile name that also fits its Unix
 * group (agentServiceNameRule, contract/credentialAgent.ts).
 */
export function checkAgentServiceName(input: string, value: unknown): string {
    return checkHostProfileName(input, value, agentServiceNameRule);
}

/**
 * The local Unix users allowed a service's agent token: 1 to maxAgentUsers names (localUserRule),
 * each once. The host creates no user: each must exist there.
 */
export function checkAgentUsers(input: string, value: unknown): string[] {
    const accepted = `a list of 1 to ${maxAgentUsers} Unix user names (each once) that exist on the host, such as ["ec2-user"]`;
    if (!Array.isArray(value) || value.length === 0 || value.length > maxAgentUsers) {
        throw new InputError(input, value, accepted);
    }
    const seen = new Set<string>();
    for (const [i, user] of value.entries()) {
        checkRule(`${input}[${i}]`, user, localUserRule);
        if (seen.has(user as string)) {
            throw new InputError(`${input}[${i}]`, user, `${accepted}: ${user} is named twice`);
        }
        seen.add(user as string);
    }
    return [...seen];
}
