// What verify is to prove: a plan read from --targets (a file, or stdin for "-"), or the one
// target the single-target flags describe. The plan's own rules live in contract/plan.ts; this
// file only says where the plan comes from and refuses the two forms mixed.
import {
    fieldRules,
    parsePlanText,
    singleTargetName,
    type VerifyTarget,
} from "../../../contract/plan";
import { UsageCollector, UsageError } from "../../../contract/usageError";
import { maxPlanBytes, readBounded } from "../../cli/boundedRead";
import { matchFlag, type ValuedFlag } from "./flagValues";

/** Reads --targets: a file, or stdin for "-". */
export function readPlanText(source: string): string {
    return readBounded(source, maxPlanBytes);
}

const singleTargetFlags = ["--bucket", "--role-arn", "--external-id", "--profile"] as const;

/**
 * The targets to prove: the --targets plan, else the one target of the single-target flags
 * (`alreadyReported` are flags the flag reader refused, not to be called missing as well).
 */
export function planTargets(
    values: Map<ValuedFlag, string>,
    alreadyReported: readonly string[],
    readPlan: (source: string) => string,
): VerifyTarget[] {
    const source = values.get("--targets");
    return source !== undefined
        ? planFromFile(source, values, readPlan)
        : [singleTarget(values, alreadyReported)];
}

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
