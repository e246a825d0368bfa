// The SSM runner's command line: the plan on stdin, verify's report on stdout, progress and
// diagnoses on stderr, verify's exit code (or 2 for a usage error, 3 when the proof could not
// run). Credentials come from the default chain only; none is ever an argument or printed.
import * as fs from "fs";

import { parsePlanText } from "../../../contract/plan";
import { maxPlanBytes, readBounded } from "../../cli/boundedRead";
import { exitCodes } from "../../cli/exitCodes";
import { printHelpIfAsked, reportUsageError, runCommandLine } from "../../cli/commandLine";
import { UsageError } from "../../../contract/usageError";
import { parseRunnerArgs, usage } from "./args";
import { runProof } from "./proof";
import { RunnerError } from "./runner";

/** The on-host wrapper's bundled source, put here by scripts/bundle.mjs (esbuild `define`). */
declare const __ROLEPAIR_ON_HOST_WRAPPER__: string | undefined;

function readInputs(argv: string[]) {
    const options = parseRunnerArgs(argv, __dirname);
    let planJson: string;
    try {
        const text = readBounded("-", maxPlanBytes);
        planJson = JSON.stringify(parsePlanText(text, "stdin"));
    } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(
            "stdin",
            `expected verify's plan, a JSON array of { name, roleArn, bucket, ... }: ${(error as Error).message}`,
        );
    }
    if (!fs.existsSync(options.verifyBundlePath))
        throw new UsageError(
            "--verify-bundle",
            `${options.verifyBundlePath} does not exist: run "npm run build" first`,
        );
    if (typeof __ROLEPAIR_ON_HOST_WRAPPER__ !== "string")
        throw new UsageError(
            "runner",
            'run the bundled runner, dist/ssm-runner.js ("npm run build")',
        );
    return { options, planJson, wrapperSource: __ROLEPAIR_ON_HOST_WRAPPER__ };
}

export async function main(argv: string[]): Promise<number> {
    if (printHelpIfAsked(argv, usage)) return exitCodes.ok;
    let inputs;
    try {
        inputs = readInputs(argv);
    } catch (error) {
        return reportUsageError("ssm-runner", usage, error);
    }
    try {
        const outcome = await runProof(inputs.options, inputs.planJson, inputs.wrapperSource);
        for (const line of outcome.messages) process.stderr.write(`${line}\n`);
        if (outcome.report) process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
        return outcome.exitCode;
    } catch (error) {
        if (error instanceof RunnerError) {
            process.stderr.write(`ssm-runner: ${error.message}\n`);
            return error.exitCode;
        }
        const name = error instanceof Error ? error.name : "Error";
        const message = error instanceof Error ? error.message : String(error);
        const code = (error as { code?: string }).code;
        const unreachable = ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET"];
        const hint =
            name === "CredentialsProviderError"
                ? " (no credentials from the default chain: set AWS_PROFILE, or the provider's credentials in the environment)"
                : code !== undefined && unreachable.includes(code)
                  ? ` (could not reach Systems Manager in ${inputs.options.region} from this machine)`
                  : "";
        process.stderr.write(`ssm-runner: ${name}: ${message}${hint}\n`);
        return exitCodes.couldNotRun;
    }
}

runCommandLine("ssm-runner", main);
