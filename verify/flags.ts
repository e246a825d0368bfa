// Splits argv into flag values for verify and the SSM runner alike: `--flag value`, or
// `--flag=value` for any value (even one that starts with -), plus value-less switches.
import type { UsageCollector } from "./usageError";

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
