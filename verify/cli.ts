// The command-line shell around runProof: flags in, checklist or JSON out, an exit code that
// says what happened. Progress and diagnoses go to stderr so stdout stays parseable with --json.
import { parseArgs, usage, UsageError } from "./args";
import { runProof } from "./proof";
import { describeFailure, formatChecklist } from "./report";

export const exitCodes = { proven: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export async function main(argv: string[]): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(`${usage}\n`);
        return exitCodes.proven;
    }
    let options;
    try {
        options = parseArgs(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`verify: ${error.message}\n\n${usage}\n`);
            return exitCodes.usage;
        }
        throw error;
    }
    const report = await runProof(options, {
        onProgress: (line) => process.stderr.write(`… ${line}\n`),
    });
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
