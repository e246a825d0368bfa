// Command-line flags of the verify program. A bad flag is a UsageError (exit 2) naming the flag.

export interface ProofOptions {
    bucket: string;
    roleArn: string;
    region: string;
    sessionName: string;
    externalId?: string;
    durationSeconds: number;
    profile?: string;
    /** How long AssumeRole is retried on AccessDenied while IAM changes propagate. */
    propagationTimeoutMs: number;
    json: boolean;
    /** AWS_ENDPOINT_URL: an emulator or VPC endpoint; S3 then uses path-style addressing. */
    endpoint?: string;
}

export class UsageError extends Error {
    constructor(
        public readonly flag: string,
        message: string,
    ) {
        super(`${flag}: ${message}`);
        this.name = "UsageError";
    }
}

export const usage = `Usage: node verify.js --bucket NAME --role-arn ARN [--region R] [--session-name S]
       [--external-id X] [--duration-seconds N] [--profile P] [--propagation-timeout S] [--json]

Proves that this machine's own credentials are denied the bucket, and that after
sts:AssumeRole into --role-arn a list/put/get/delete round trip succeeds.
Exit codes: 0 proof holds, 1 an expectation failed, 2 usage error, 3 AWS unreachable.`;

const valued = [
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

export function parseArgs(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
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

    const bucket = matchFlag(
        "--bucket",
        values.get("--bucket"),
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "an S3 bucket name (3 to 63 lowercase letters, digits, dots, hyphens)",
    );
    if (bucket === undefined) throw new UsageError("--bucket", "is required");
    const roleArn = matchFlag(
        "--role-arn",
        values.get("--role-arn"),
        /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
        "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
    );
    if (roleArn === undefined) throw new UsageError("--role-arn", "is required");
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
        bucket,
        roleArn,
        region,
        sessionName:
            matchFlag(
                "--session-name",
                values.get("--session-name"),
                /^[\w+=,.@-]{2,64}$/,
                "2 to 64 characters of letters, digits and +=,.@-_",
            ) ?? `rolepair-verify-${Date.now()}`,
        externalId: matchFlag(
            "--external-id",
            values.get("--external-id"),
            /^[\w+=,.@:/-]{2,1224}$/,
            "2 to 1224 characters of letters, digits and +=,.@:/-_",
        ),
        durationSeconds: integerFlag(
            "--duration-seconds",
            values.get("--duration-seconds"),
            900,
            900,
            43200,
        ),
        profile: matchFlag(
            "--profile",
            values.get("--profile"),
            /^[A-Za-z0-9_.-]{1,64}$/,
            "a profile name",
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
