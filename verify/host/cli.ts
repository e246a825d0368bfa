// The command-line shell around runProof: flags in, checklist or JSON out, an exit code that
// says what happened. Progress and diagnoses go to stderr so stdout stays parseable with --json.
// Usage errors (every one at once, one line each) exit 2 with the usage text.
import { resolveArgs, usage, UsageError } from "./args";
import { runProof } from "./proof";
import { describeFailure, formatChecklist } from "../shared/report";

export const exitCodes = { proven: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export async function main(argv: string[]): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(`${usage}\n`);
        return exitCodes.proven;
    }
    let options;
    let report;
    try {
        options = await resolveArgs(argv);
        // A UsageError from the proof: --duration-seconds too long for this identity (role chaining).
        report = await runProof(options, {
            onProgress: (line) => process.stderr.write(`… ${line}\n`),
        });
    } catch (error) {
        if (error instanceof UsageError) {
            const lines = error.message.split("\n").map((line) => `verify: ${line}\n`);
            process.stderr.write(`${lines.join("")}\n${usage}\n`);
            return exitCodes.usage;
        }
        throw error;
    }
    if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        if (!report.ok) process.stderr.write(`verify: ${describeFailure(report)}\n`);
    } else {
        process.stdout.write(`${formatChecklist(report)}\n`);
    }
    if (report.ok) return exitCodes.proven;
    return report.unreachable ? exitCodes.unreachable : exitCodes.failed;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(
            `verify: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = exitCodes.unreachable;
    },
);
