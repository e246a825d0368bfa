// Command-line flags of the verify program. A bad flag is a UsageError (exit 2) naming the flag.
import * as fs from "fs";

import { fieldRules, singleTargetName, validatePlan, type VerifyTarget } from "./plan";
import { UsageError } from "./usageError";

export interface ProofOptions {
    /** The services to prove, in report order. */
    targets: VerifyTarget[];
    region: string;
    /** Session name; with perServiceSessions each service's is `${sessionName}-${service}` (64 chars at most). */
    sessionName: string;
    /** True with --targets; the single-target flags keep sessionName exactly. Default false. */
    perServiceSessions?: boolean;
    durationSeconds: number;
    /** How long AssumeRole is retried on AccessDenied while IAM changes propagate. */
    propagationTimeoutMs: number;
    json: boolean;
    /** AWS_ENDPOINT_URL: an emulator or VPC endpoint; S3 then uses path-style addressing. */
    endpoint?: string;
}

export { UsageError };

export const usage = `Usage: node verify.js --bucket NAME --role-arn ARN [--external-id X] [--profile P] [options]
       node verify.js --targets PATH|- [options]
Options: [--region R] [--session-name S] [--duration-seconds N] [--propagation-timeout S] [--json]

Proves that this machine's own credentials are denied each service's bucket, that after
sts:AssumeRole into the service's role a round trip limited to its declared object actions
succeeds, and that no service's role can list another service's bucket.
--targets reads a JSON array (- = stdin) of
  { "name": "service-a", "roleArn": "arn:...", "bucket": "...", "externalId"?: "...",
    "objectActions"?: ["s3:GetObject", ...], "profile"?: "..." }
--bucket/--role-arn prove one target named "target".
Exit codes: 0 proof holds, 1 an expectation failed, 2 usage error, 3 AWS unreachable.`;

const valued = [
    "--targets",
    "--bucket",
    "--role-arn",
    "--region",
    "--session-name",
    "--external-id",
    "--duration-seconds",
    "--profile",
    "--propagation-timeout",
] as const;
type ValuedFlag = (typeof valued)[number];

function integerFlag(
    flag: string,
    raw: string | undefined,
    fallback: number,
    min: number,
    max: number,
): number {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
        throw new UsageError(
            flag,
            `got ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}`,
        );
    }
    return n;
}

function matchFlag(
    flag: string,
    raw: string | undefined,
    pattern: RegExp,
    accepted: string,
): string | undefined {
    if (raw === undefined) return undefined;
    if (!pattern.test(raw))
        throw new UsageError(flag, `got ${JSON.stringify(raw)}; expected ${accepted}`);
    return raw;
}

/** Reads --targets: a file, or stdin for "-". */
export function readPlanText(source: string): string {
    return fs.readFileSync(source === "-" ? 0 : source, "utf8");
}

export function parseArgs(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
    readPlan: (source: string) => string = readPlanText,
): ProofOptions {
    const values = new Map<ValuedFlag, string>();
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") {
            json = true;
        } else if ((valued as readonly string[]).includes(arg)) {
            const value = argv[i + 1];
            if (value === undefined || value.startsWith("--"))
                throw new UsageError(arg, "needs a value");
            values.set(arg as ValuedFlag, value);
            i++;
        } else {
            throw new UsageError(
                arg,
                `unknown flag; accepted: ${[...valued, "--json"].join(", ")}`,
            );
        }
    }

    const targetsSource = values.get("--targets");
    const perServiceSessions = targetsSource !== undefined;
    const targets = perServiceSessions
        ? planFromFile(targetsSource, values, readPlan)
        : [singleTarget(values)];
    const region =
        matchFlag(
            "--region",
            values.get("--region"),
            /^[a-z]{2}(-[a-z]+)+-\d+$/,
            "a region such as us-east-1",
        ) ??
        env.AWS_REGION ??
        env.AWS_DEFAULT_REGION;
    if (region === undefined) throw new UsageError("--region", "is required (or set AWS_REGION)");

    return {
        targets,
        region,
        sessionName:
            matchFlag(
                "--session-name",
                values.get("--session-name"),
                /^[\w+=,.@-]{2,64}$/,
                "2 to 64 characters of letters, digits and +=,.@-_",
            ) ?? `rolepair-verify-${Date.now()}`,
        perServiceSessions,
        durationSeconds: integerFlag(
            "--duration-seconds",
            values.get("--duration-seconds"),
            900,
            900,
            43200,
        ),
        propagationTimeoutMs:
            integerFlag(
                "--propagation-timeout",
                values.get("--propagation-timeout"),
                120,
                0,
                3600,
            ) * 1000,
        json,
        endpoint: env.AWS_ENDPOINT_URL || undefined,
    };
}

const singleTargetFlags = ["--bucket", "--role-arn", "--external-id", "--profile"] as const;

function planFromFile(
    source: string,
    values: Map<ValuedFlag, string>,
    readPlan: (source: string) => string,
): VerifyTarget[] {
    const mixed = singleTargetFlags.find((flag) => values.has(flag));
    if (mixed !== undefined) {
        throw new UsageError(
            "--targets",
            `cannot be combined with ${mixed}; put roleArn, bucket, externalId and profile in each plan entry`,
        );
    }
    let text: string;
    try {
        text = readPlan(source);
    } catch (error) {
        throw new UsageError(
            "--targets",
            `cannot read ${source === "-" ? "stdin" : JSON.stringify(source)}: ${(error as Error).message}`,
        );
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new UsageError(
            "--targets",
            `is not JSON (${(error as Error).message}); expected a JSON array of { name, roleArn, bucket, externalId?, objectActions?, profile? }`,
        );
    }
    return validatePlan(parsed, "--targets");
}

/** --bucket/--role-arn[/--external-id/--profile]: a plan of one target named "target". */
function singleTarget(values: Map<ValuedFlag, string>): VerifyTarget {
    const flagOf = {
        bucket: "--bucket",
        roleArn: "--role-arn",
        externalId: "--external-id",
        profile: "--profile",
    } as const;
    const field = (key: keyof typeof flagOf) =>
        matchFlag(
            flagOf[key],
            values.get(flagOf[key]),
            fieldRules[key].pattern,
            fieldRules[key].accepted,
        );
    const bucket = field("bucket");
    if (bucket === undefined) throw new UsageError("--bucket", "is required (or give --targets)");
    const roleArn = field("roleArn");
    if (roleArn === undefined) throw new UsageError("--role-arn", "is required");
    const target: VerifyTarget = { name: singleTargetName, roleArn, bucket };
    const externalId = field("externalId");
    if (externalId !== undefined) target.externalId = externalId;
    const profile = field("profile");
    if (profile !== undefined) target.profile = profile;
    return target;
}
