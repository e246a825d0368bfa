// The proof's plan: which services to prove on this host. The component writes it as JSON on the
// verify command's stdin (`--targets -`); --bucket/--role-arn make a plan of one target.
import { allowedObjectActions, defaultObjectActions, type ObjectAction } from "./objectActions";
import { bucketNameRule, externalIdRule, profileNameRule, roleArnRule } from "./rules";

import { UsageCollector, UsageError } from "./usageError";

/** One service to prove: its role, the bucket it must reach, and how it is reached. */
export interface VerifyTarget {
    /** Service name: 1 to 32 of [a-z0-9-]; names the service in the report. */
    name: string;
    roleArn: string;
    /** The one bucket this service's role is declared to reach. */
    bucket: string;
    externalId?: string;
    /** Object actions the role was granted; the round trip exercises only these. Default: all of get, put, delete. */
    objectActions?: ObjectAction[];
    /** AWS config profile on the host that assumes this role; proves the AWS_PROFILE route. */
    profile?: string;
    /**
     * The host runs the credential agent for this service: the proof also gets its role through
     * the agent with the service's token, and checks that token yields no other role.
     */
    agent?: boolean;
}

/**
 * The most services one host proves (and the components create on one host): one number, shared
 * by verify's --targets, the SSM runner's plan and SharedDevHost. Why 50: the isolation matrix
 * grows as n×(n−1) (2,450 denied listings at 50, each retried while IAM propagates), the host
 * role's one inline policy lists every service role (IAM: 10,240 characters for a role's inline
 * policies), and the report must come back through SSM's 24,000 characters of stdout.
 */
export const maxServicesPerHost = 50;

/** The profiles a plan puts on the host, in plan order: all the host's AWS config may hold. */
export function planProfiles(targets: readonly { profile?: string }[]): string[] {
    return targets.flatMap((t) => (t.profile !== undefined ? [t.profile] : []));
}

/** A plan nests three deep: the array, a target object, its objectActions list. */
export const maxPlanNesting = 3;

/** The name of the one target --bucket/--role-arn make. */
export const singleTargetName = "target";

/** What each field accepts; the --bucket, --role-arn, --external-id and --profile flags share them. */
export const fieldRules = {
    name: { pattern: /^[a-z0-9-]{1,32}$/, accepted: "1 to 32 of lowercase letters, digits and -" },
    bucket: bucketNameRule,
    roleArn: roleArnRule,
    externalId: externalIdRule,
    profile: profileNameRule,
} as const;

const targetKeys = ["name", "roleArn", "bucket", "externalId", "objectActions", "profile", "agent"];

function got(value: unknown): string {
    const text = JSON.stringify(value);
    return `got ${text === undefined ? "nothing" : text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

function stringField(
    entry: Record<string, unknown>,
    key: keyof typeof fieldRules,
    path: string,
    required: boolean,
): string | undefined {
    const value = entry[key];
    const rule = fieldRules[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || !rule.pattern.test(value)) {
        throw new UsageError(`${path}.${key}`, `${got(value)}; expected ${rule.accepted}`);
    }
    return value;
}

function objectActionsField(value: unknown, path: string): ObjectAction[] | undefined {
    if (value === undefined) return undefined;
    const accepted = `a non-empty list drawn from ${allowedObjectActions.join(", ")}`;
    if (!Array.isArray(value) || value.length === 0) {
        throw new UsageError(`${path}.objectActions`, `${got(value)}; expected ${accepted}`);
    }
    value.forEach((action, i) => {
        if (!(allowedObjectActions as readonly unknown[]).includes(action)) {
            throw new UsageError(
                `${path}.objectActions[${i}]`,
                `${got(action)}; expected one of ${allowedObjectActions.join(", ")}`,
            );
        }
    });
    return [...new Set(value as ObjectAction[])];
}

/**
 * Checks a parsed plan strictly: a non-empty array of targets, known keys only, every value in
 * its accepted form, unique names. `flag` prefixes every path (`--targets[1].roleArn`). Every
 * error is reported at once (UsageErrors when there are several).
 */
export function validatePlan(plan: unknown, flag = "--targets"): VerifyTarget[] {
    if (!Array.isArray(plan) || plan.length === 0) {
        throw new UsageError(
            flag,
            `${got(plan)}; expected a non-empty JSON array of { name, roleArn, bucket, externalId?, objectActions?, profile?, agent? }`,
        );
    }
    if (plan.length > maxServicesPerHost) {
        throw new UsageError(
            flag,
            `has ${plan.length} targets; expected at most ${maxServicesPerHost} (maxServicesPerHost: the services one host proves)`,
        );
    }
    const problems = new UsageCollector();
    const seen = new Map<string, number>();
    const targets = plan.map((entry: unknown, i): VerifyTarget | undefined => {
        const path = `${flag}[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            problems.add(path, `${got(entry)}; expected an object with name, roleArn, bucket`);
            return undefined;
        }
        const record = entry as Record<string, unknown>;
        for (const key of Object.keys(record)) {
            if (!targetKeys.includes(key)) {
                problems.add(`${path}.${key}`, `unknown key; accepted: ${targetKeys.join(", ")}`);
            }
        }
        const field = (key: keyof typeof fieldRules, required: boolean) =>
            problems.attempt(() => stringField(record, key, path, required));
        const name = field("name", true);
        if (name !== undefined) {
            const earlier = seen.get(name);
            if (earlier !== undefined) {
                problems.add(
                    `${path}.name`,
                    `${got(name)}; expected a name no other target uses (${flag}[${earlier}] has it)`,
                );
            } else {
                seen.set(name, i);
            }
        }
        const roleArn = field("roleArn", true);
        const bucket = field("bucket", true);
        const externalId = field("externalId", false);
        const objectActions = problems.attempt(() =>
            objectActionsField(record.objectActions, path),
        );
        const profile = field("profile", false);
        const agent = record.agent;
        if (agent !== undefined && typeof agent !== "boolean") {
            problems.add(`${path}.agent`, `${got(agent)}; expected true or false`);
        }
        // A required field left undefined has added its problem, so throwIfAny below throws
        // whatever this returns: the check only narrows the types (its mutants are equivalent).
        // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
        if (name === undefined || roleArn === undefined || bucket === undefined) return undefined;
        const target: VerifyTarget = { name, roleArn, bucket };
        if (externalId !== undefined) target.externalId = externalId;
        if (objectActions !== undefined) target.objectActions = objectActions;
        if (profile !== undefined) target.profile = profile;
        if (agent === true) target.agent = true;
        return target;
    });
    problems.throwIfAny();
    return targets as VerifyTarget[];
}

/** The object actions a target declares: its own list, or get, put and delete. */
export function declaredActions(target: VerifyTarget): readonly ObjectAction[] {
    return target.objectActions ?? defaultObjectActions;
}

/**
 * How deeply `text` nests arrays and objects, outside strings, stopping once past `limit`: a plan
 * nested thousands deep is refused here, before JSON.parse or any recursion meets it.
 */
export function nestingDepth(text: string, limit: number): number {
    let depth = 0;
    let deepest = 0;
    let inString = false;
    for (let i = 0; i < text.length && deepest <= limit; i++) {
        const c = text[i];
        if (inString) {
            if (c === "\\") i++;
            else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
        else if (c === "]" || c === "}") depth--;
    }
    return deepest;
}

/** Parses and checks a plan's JSON text; every problem is a UsageError on `flag` (exit 2). */
export function parsePlanText(text: string, flag: string): VerifyTarget[] {
    if (nestingDepth(text, maxPlanNesting) > maxPlanNesting) {
        throw new UsageError(
            flag,
            `nests arrays or objects more than ${maxPlanNesting} deep; expected a JSON array of { name, roleArn, bucket, externalId?, objectActions?, profile?, agent? }`,
        );
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new UsageError(
            flag,
            `is not JSON (${(error as Error).message}); expected a JSON array of { name, roleArn, bucket, externalId?, objectActions?, profile?, agent? }`,
        );
    }
    return validatePlan(parsed, flag);
}
