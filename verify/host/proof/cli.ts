// The command-line shell around runProof: flags in, checklist or JSON out, an exit code that
// says what happened. Progress and diagnoses go to stderr so stdout stays parseable with --json.
// Usage errors (every one at once, one line each) exit 2 with the usage text.
import { printHelpIfAsked, reportUsageError, runCommandLine } from "../../cli/commandLine";
import { resolveArgs } from "./args";
import { usage } from "./usage";
import { runProof } from "./proof";
import { exitCodes } from "../../cli/exitCodes";
import { describeFailure, formatChecklist } from "../../../contract/report";

export async function main(argv: string[]): Promise<number> {
    if (printHelpIfAsked(argv, usage)) return exitCodes.ok;
    let options;
    let report;
    try {
        options = await resolveArgs(argv);
        // A UsageError from the proof: --duration-seconds too long for this identity (role chaining).
        report = await runProof(options, {
            onProgress: (line) => process.stderr.write(`… ${line}\n`),
        });
    } catch (error) {
        return reportUsageError("verify", usage, error);
    }
    if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        if (!report.ok) process.stderr.write(`verify: ${describeFailure(report)}\n`);
    } else {
        process.stdout.write(`${formatChecklist(report)}\n`);
    }
    if (report.ok) return exitCodes.ok;
    return report.unreachable ? exitCodes.couldNotRun : exitCodes.failed;
}

runCommandLine("verify", main);
