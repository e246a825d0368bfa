// verify's command line as a whole: reads the flags once, takes the plan, the region and the run's
// settings from them in the order their errors are reported, and builds ProofOptions. Bad flags
// are UsageErrors (exit 2) naming each flag, all reported at once. The region search lives here
// because resolveArgs carries it on to the instance's metadata service.
import type { VerifyTarget } from "../../../contract/plan";
import {
    awsConfigPath,
    instanceRegion,
    profileRegion,
    regionPattern,
} from "../../../contract/region";
import { AwsConfigFileError } from "../../../contract/awsConfigFile";
import { UsageCollector } from "../../../contract/usageError";
import { matchFlag, readVerifyFlags, settingFlags, type ValuedFlag } from "./flagValues";
import type { ProofOptions } from "./options";
import { planTargets, readPlanText } from "./planInputs";

interface ParsedFlags {
    problems: UsageCollector;
    /** The region if flags, environment or the profile's config give it. */
    region?: string;
    /** Where the region was looked for (for the error), or undefined if --region itself was bad. */
    regionSearch?: string;
    build(region: string): ProofOptions;
}

/** --region, else AWS_REGION / AWS_DEFAULT_REGION, else (single target only) --profile's region. */
function searchRegion(
    values: Map<ValuedFlag, string>,
    env: NodeJS.ProcessEnv,
    problems: UsageCollector,
    perServiceSessions: boolean,
): Pick<ParsedFlags, "region" | "regionSearch"> {
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
    return { region, regionSearch: regionFlagBad ? undefined : regionSearch };
}

function parseFlags(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    readPlan: (source: string) => string,
): ParsedFlags {
    const problems = new UsageCollector();
    const { values, json } = readVerifyFlags(argv, problems);
    const perServiceSessions = values.has("--targets");
    const targets = problems.attempt(() =>
        planTargets(
            values,
            problems.errors.map((e) => e.flag),
            readPlan,
        ),
    );
    const { region, regionSearch } = searchRegion(values, env, problems, perServiceSessions);
    const {
        sessionName,
        durationSeconds,
        propagationTimeoutSeconds,
        concurrency,
        agentUrl,
        agentTokenDir,
    } = settingFlags(values, problems);
    return {
        problems,
        region,
        regionSearch,
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
