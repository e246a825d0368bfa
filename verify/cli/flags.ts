// Splits argv into flag values for verify and the SSM runner alike: `--flag value`, or
// `--flag=value` for any value (even one that starts with -), plus value-less switches; and the
// checks of the flags more than one of them takes.
import { regionPattern } from "../../contract/region";
import type { UsageCollector } from "../../contract/usageError";

export function readFlags<F extends string>(
    argv: readonly string[],
    valued: readonly F[],
    switches: readonly string[],
    problems: UsageCollector,
): { values: Map<F, string>; switches: Set<string> } {
    const values = new Map<F, string>();
    const seen = new Set<string>();
    const isValued = (flag: string): flag is F => (valued as readonly string[]).includes(flag);
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const flag = eq > 0 ? arg.slice(0, eq) : arg;
        if (switches.includes(flag)) {
            if (eq > 0) problems.add(flag, "takes no value");
            seen.add(flag);
        } else if (isValued(flag)) {
            let value: string | undefined;
            if (eq > 0) {
                value = arg.slice(eq + 1);
            } else {
                value = argv[i + 1];
                if (value !== undefined && !value.startsWith("--")) i++;
                else value = undefined;
            }
            if (value === undefined || value === "") {
                problems.add(flag, `needs a value (${flag}=VALUE for a value starting with -)`);
            } else {
                values.set(flag, value);
            }
        } else {
            problems.add(flag, `unknown flag; accepted: ${[...valued, ...switches].join(", ")}`);
        }
    }
    return { values, switches: seen };
}

/** A number flag within [min, max] (an integer unless `integer` is false); `fallback` when absent. */
export function numberFlag(
    problems: UsageCollector,
    flag: string,
    raw: string | undefined,
    fallback: number | undefined,
    min: number,
    max: number,
    integer = true,
): number | undefined {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    const shape = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
    if (!shape.test(raw) || n < min || n > max) {
        problems.add(
            flag,
            `got ${JSON.stringify(raw)}; expected ${integer ? "an integer" : "a number"} from ${min} to ${max}`,
        );
        return undefined;
    }
    return n;
}

/** --poll-interval: seconds between two polls, 0.01 to 60. */
export function pollIntervalFlag(
    problems: UsageCollector,
    raw: string | undefined,
    fallback: number,
): number | undefined {
    return numberFlag(problems, "--poll-interval", raw, fallback, 0.01, 60, false);
}

/** A required --instance-id: an EC2 instance (i-...) or a hybrid managed node (mi-...). */
export function instanceIdFlag(problems: UsageCollector, raw: string | undefined): string {
    if (raw === undefined) problems.add("--instance-id", "is required");
    else if (!/^(i-(\w{8}|\w{17})|mi-\w{17})$/.test(raw))
        problems.add(
            "--instance-id",
            `got ${JSON.stringify(raw)}; expected an instance id such as i-0123456789abcdef0`,
        );
    return raw as string;
}

/** A required --region, such as us-east-1. */
export function regionFlag(problems: UsageCollector, raw: string | undefined): string {
    if (raw === undefined) problems.add("--region", "is required");
    else if (!regionPattern.test(raw))
        problems.add("--region", `got ${JSON.stringify(raw)}; expected a region such as us-east-1`);
    return raw as string;
}

/**
 * The flags of an operator tool that acts on one instance: `--instance-id` and `--region` (both
 * required, accepted first), then `others`. Problems are collected, not thrown.
 */
export function readInstanceFlags<F extends string>(
    argv: readonly string[],
    others: readonly F[],
    problems: UsageCollector,
    switches: readonly string[] = [],
): {
    values: Map<F | "--instance-id" | "--region", string>;
    switches: Set<string>;
    instanceId: string;
    region: string;
} {
    const read = readFlags(argv, ["--instance-id", "--region", ...others], switches, problems);
    const instanceId = instanceIdFlag(problems, read.values.get("--instance-id"));
    const region = regionFlag(problems, read.values.get("--region"));
    return { values: read.values, switches: read.switches, instanceId, region };
}
