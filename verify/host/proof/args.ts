// Command-line flags of the verify program. Bad flags are UsageErrors (exit 2) naming each flag,
// all reported at once.

import { commandName } from "../../cli/commandName";
import { exitCodesHelp } from "../../cli/exitCodes";
import {
    fieldRules,
    parsePlanText,
    singleTargetName,
    type VerifyTarget,
} from "../../../contract/plan";
import { roleChainingMaxSeconds } from "./roleChaining";
import {
    awsConfigPath,
    instanceRegion,
    profileRegion,
    regionPattern,
} from "../../../contract/region";
import { AwsConfigFileError } from "../../../contract/awsConfigFile";
import { maxPlanBytes, readBounded } from "../../cli/boundedRead";
import { agentCredentialsUrl, agentTokenDirectory } from "../../../contract/credentialAgent";
import { readFlags } from "../../cli/flags";
import { UsageCollector, UsageError, UsageErrors } from "../../../contract/usageError";

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
    /** Requests in flight at once, across all services (--concurrency). Default defaultConcurrency. */
    concurrency?: number;
    /** AWS_ENDPOINT_URL: an emulator or VPC endpoint; S3 then uses path-style addressing. */
    endpoint?: string;
    /** --agent-url: the credential agent's credentials URL. Default agentCredentialsUrl. */
    agentUrl?: string;
    /** --agent-token-dir: where the services' token files are. Default agentTokenDirectory. */
    agentTokenDir?: string;
    /** The metadata endpoint the IMDS lock is checked at. Default AWS_EC2_METADATA_SERVICE_ENDPOINT, then 169.254.169.254. */
    imdsEndpoint?: string;
}

export { UsageError, UsageErrors };

/** Default of --duration-seconds (STS's minimum). */
export const defaultDurationSeconds = 900;
/**
 * Default of --concurrency: requests in flight at once across all services. AWS's rate limits are
 * far away (S3: 3,500 writes and 5,500 reads per second per prefix, and a proof sends each bucket
 * N + 4 requests; STS: 2N + 1 calls in all); verify spends about a millisecond of CPU per request
 * in the SDK, so 64 answers of ~50 ms keep one core busy; a server that serves one request at a
 * time (an emulator) keeps each waiting for at most 63 others, well inside the 15 s request
 * timeout; and 64 sockets are few next to the default limit of 1,024 open files.
 */
export const defaultConcurrency = 64;
/** Bounds of --concurrency: 1 (one request at a time) to 256 (a quarter of the default open-file limit). */
export const concurrencyBounds = { min: 1, max: 256 } as const;
/** Default of --propagation-timeout, in seconds. */
export const defaultPropagationTimeoutSeconds = 120;
const command = commandName("rolepair-verify", "verify.js");
export const usage = `Usage: ${command} --bucket NAME --role-arn ARN [--external-id X] [--profile P] [options]
       ${command} --targets PATH|- [options]

Proves that this machine's own credentials are denied each service's bucket, that after
sts:AssumeRole into the service's role a round trip limited to its declared object actions
succeeds, and that no service's role can list another service's bucket.

Flags (every valued flag also takes the form --flag=value, needed for a value starting with -):
  --bucket NAME              the one target's bucket (required unless --targets)
  --role-arn ARN             the one target's role (required unless --targets)
  --external-id X            sts:ExternalId sent with AssumeRole (default: none)
  --profile P                AWS config profile that assumes the role: also proves AWS_PROFILE=P
                             (default: none)
  --targets PATH|-           a JSON plan (- = stdin) instead of the four flags above (default: none):
                             [{ "name": "service-a", "roleArn": "arn:...", "bucket": "...",
                                "externalId"?: "...", "objectActions"?: ["s3:GetObject", ...],
                                "profile"?: "...", "agent"?: true }]
  --region R                 default: AWS_REGION, then AWS_DEFAULT_REGION, then the region of
                             --profile in the AWS config file, then this EC2 instance's region
                             (IMDSv2); a usage error if none is known
  --session-name S           default: rolepair-verify-<epoch ms> (with --targets, -<service> added)
  --duration-seconds N       ${defaultDurationSeconds} to 43200 (default ${defaultDurationSeconds}); at most ${roleChainingMaxSeconds} when this
                             machine's own identity is an assumed-role session (an instance profile):
                             that is role chaining, which AWS caps at 1 hour. Checked after
                             GetCallerIdentity; exceeding it is a usage error (exit 2)
  --propagation-timeout S    seconds AssumeRole is retried while IAM propagates, 0 to 3600
                             (default ${defaultPropagationTimeoutSeconds})
  --concurrency N            AWS requests in flight at once, across all services, ${concurrencyBounds.min} to
                             ${concurrencyBounds.max} (default ${defaultConcurrency})
  --agent-url URL            the credential agent's credentials URL, for plans with "agent": true:
                             http:// on a loopback address, 169.254.170.23 or 169.254.170.2
                             (default ${agentCredentialsUrl})
  --agent-token-dir DIR      the directory of the services' token files, an absolute path
                             (default ${agentTokenDirectory})
  --json                     print the report as JSON (default: a checklist)
  --help, -h                 print this text
Every usage error is reported at once.
${exitCodesHelp("the proof holds", "the proof ran and an expectation failed")}`;

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
    "--concurrency",
    "--agent-url",
    "--agent-token-dir",
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

/** The addresses a credential agent may be asked at: loopback (tests) and the two link-local ones. */
const agentHosts = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\]|169\.254\.170\.23|169\.254\.170\.2)$/;

/** --agent-url: plain HTTP (the SDKs send a token over it only to these hosts), no user or query. */
export function agentUrlFlag(raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    const accepted =
        "an http:// URL on a loopback address, 169.254.170.23 or 169.254.170.2, without user, query or fragment";
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new UsageError("--agent-url", `got ${JSON.stringify(raw)}; expected ${accepted}`);
    }
    if (
        url.protocol !== "http:" ||
        !agentHosts.test(url.hostname) ||
        url.username !== "" ||
        url.password !== "" ||
        url.search !== "" ||
        url.hash !== ""
    ) {
        throw new UsageError("--agent-url", `got ${JSON.stringify(raw)}; expected ${accepted}`);
    }
    return url.href;
}

/** Reads --targets: a file, or stdin for "-". */
export function readPlanText(source: string): string {
    return readBounded(source, maxPlanBytes);
}

/** The valued flags and --json, read by the one flag reader verify and the SSM runner share. */
function readVerifyFlags(argv: readonly string[], problems: UsageCollector) {
    const { values, switches } = readFlags(argv, valued, ["--json"], problems);
    return { values, json: switches.has("--json") };
}

interface ParsedFlags {
    problems: UsageCollector;
    /** The region if flags, environment or the profile's config give it. */
    region?: string;
    /** Where the region was looked for (for the error), or undefined if --region itself was bad. */
    regionSearch?: string;
    build(region: string): ProofOptions;
}

function parseFlags(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    readPlan: (source: string) => string,
): ParsedFlags {
    const problems = new UsageCollector();
    const { values, json } = readVerifyFlags(argv, problems);

    const targetsSource = values.get("--targets");
    const perServiceSessions = targetsSource !== undefined;
    const targets = problems.attempt(() =>
        perServiceSessions
            ? planFromFile(targetsSource, values, readPlan)
            : [
                  singleTarget(
                      values,
                      problems.errors.map((e) => e.flag),
                  ),
              ],
    );
    const flagRegion = problems.attempt(() =>
        matchFlag("--region", values.get("--region"), regionPattern, "a region such as us-east-1"),
    );
    const regionFlagBad = values.has("--region") && flagRegion === undefined;
    let region = flagRegion ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
    let regionSearch = "no --region, AWS_REGION or AWS_DEFAULT_REGION";
    const profile = values.get("--profile");
    if (region === undefined && !regionFlagBad && profile !== undefined && !perServiceSessions) {
        let fromProfile: string | undefined;
        try {
            fromProfile = profileRegion(profile, env);
        } catch (error) {
            if (!(error instanceof AwsConfigFileError)) throw error;
            problems.add("--profile", `${error.message}; it holds the profile's region`);
        }
        if (fromProfile !== undefined && !regionPattern.test(fromProfile)) {
            problems.add(
                "--profile",
                `profile ${profile} has region ${JSON.stringify(fromProfile)} in ${awsConfigPath(env)}; expected a region such as us-east-1`,
            );
        } else {
            region = fromProfile;
        }
        regionSearch += `, no region for profile ${profile} in ${awsConfigPath(env)}`;
    }
    const sessionName = problems.attempt(() =>
        matchFlag(
            "--session-name",
            values.get("--session-name"),
            /^[\w+=,.@-]{2,64}$/,
            "2 to 64 characters of letters, digits and +=,.@-_",
        ),
    );
    const durationSeconds = problems.attempt(() =>
        integerFlag(
            "--duration-seconds",
            values.get("--duration-seconds"),
            defaultDurationSeconds,
            900,
            43200,
        ),
    );
    const propagationTimeoutSeconds = problems.attempt(() =>
        integerFlag(
            "--propagation-timeout",
            values.get("--propagation-timeout"),
            defaultPropagationTimeoutSeconds,
            0,
            3600,
        ),
    );
    const concurrency = problems.attempt(() =>
        integerFlag(
            "--concurrency",
            values.get("--concurrency"),
            defaultConcurrency,
            concurrencyBounds.min,
            concurrencyBounds.max,
        ),
    );
    const agentUrl = problems.attempt(() => agentUrlFlag(values.get("--agent-url")));
    const agentTokenDir = problems.attempt(() =>
        matchFlag(
            "--agent-token-dir",
            values.get("--agent-token-dir"),
            /^\/[^\0]{0,4095}$/,
            "an absolute directory path",
        ),
    );
    return {
        problems,
        region,
        regionSearch: regionFlagBad ? undefined : regionSearch,
        build: (resolved) => ({
            targets: targets as VerifyTarget[],
            region: resolved,
            sessionName: sessionName ?? `rolepair-verify-${Date.now()}`,
            perServiceSessions,
            durationSeconds: durationSeconds as number,
            propagationTimeoutMs: (propagationTimeoutSeconds as number) * 1000,
            concurrency: concurrency as number,
            json,
            endpoint: env.AWS_ENDPOINT_URL || undefined,
            ...(agentUrl !== undefined ? { agentUrl } : {}),
            ...(agentTokenDir !== undefined ? { agentTokenDir } : {}),
        }),
    };
}

/**
 * Parses verify's flags without network access: the region from --region, AWS_REGION,
 * AWS_DEFAULT_REGION or --profile's config. Throws every usage error at once (UsageErrors).
 */
export function parseArgs(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
    readPlan: (source: string) => string = readPlanText,
): ProofOptions {
    const parsed = parseFlags(argv, env, readPlan);
    if (parsed.region === undefined && parsed.regionSearch !== undefined)
        parsed.problems.add("--region", `is required (${parsed.regionSearch})`);
    parsed.problems.throwIfAny();
    return parsed.build(parsed.region as string);
}

/**
 * As parseArgs, and when no region is known from flags, environment or profile, asks this EC2
 * instance's metadata service (IMDSv2) for its region. What the CLI uses.
 */
export async function resolveArgs(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
    readPlan: (source: string) => string = readPlanText,
    lookupInstanceRegion: (env: NodeJS.ProcessEnv) => Promise<string | undefined> = instanceRegion,
): Promise<ProofOptions> {
    const parsed = parseFlags(argv, env, readPlan);
    let region = parsed.region;
    if (region === undefined && parsed.regionSearch !== undefined) {
        region = await lookupInstanceRegion(env);
        if (region === undefined) {
            parsed.problems.add(
                "--region",
                `is required (${parsed.regionSearch}, and no EC2 instance metadata service answered with a region)`,
            );
        }
    }
    parsed.problems.throwIfAny();
    return parsed.build(region as string);
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
    return parsePlanText(text, "--targets");
}

/** --bucket/--role-arn[/--external-id/--profile]: a plan of one target named "target". */
function singleTarget(
    values: Map<ValuedFlag, string>,
    alreadyReported: readonly string[] = [],
): VerifyTarget {
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
    const problems = new UsageCollector();
    const [bucket, roleArn, externalId, profile] = (
        ["bucket", "roleArn", "externalId", "profile"] as const
    ).map((key) => problems.attempt(() => field(key)));
    const missing = (flag: string) =>
        !values.has(flag as ValuedFlag) && !alreadyReported.includes(flag);
    if (missing("--bucket")) problems.add("--bucket", "is required (or give --targets)");
    if (missing("--role-arn")) problems.add("--role-arn", "is required");
    problems.throwIfAny();
    const target: VerifyTarget = {
        name: singleTargetName,
        roleArn: roleArn as string,
        bucket: bucket as string,
    };
    if (externalId !== undefined) target.externalId = externalId;
    if (profile !== undefined) target.profile = profile;
    return target;
}
