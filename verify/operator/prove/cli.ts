// prove's command line: stack outputs in, the proof run on the live host over the stack's own
// transport, verify's checklist (or --json report) out, and verify's exit codes.
import * as fs from "fs";

import { describeFailure, formatChecklist, type ProofReport } from "../../../contract/report";
import { maxOutputsBytes, readBounded } from "../../cli/boundedRead";
import { exitCodes } from "../../cli/exitCodes";
import { printHelpIfAsked, reportUsageError, runCommandLine } from "../../cli/commandLine";
import { UsageError } from "../../../contract/usageError";
import { defaultCommandTimeoutSeconds } from "../ssm/args";
import { runProof } from "../ssm/proof";
import { RunnerError } from "../ssm/runner";
import { parseProveArgs, usage, type ProveOptions } from "./args";
import { readProveInputs, type ProveInputs } from "./outputs";
import { describeSshFailure, proveOverSsh, sshFailed } from "./ssh";

/** The on-host wrapper's bundled source (the SSM transport), put here by scripts/bundle.mjs. */
declare const __ROLEPAIR_ON_HOST_WRAPPER__: string | undefined;

const progress = (line: string) => process.stderr.write(`… ${line}\n`);

function readInputs(argv: string[]): { options: ProveOptions; inputs: ProveInputs } {
    const options = parseProveArgs(argv, __dirname);
    let text: string;
    try {
        text = readBounded(options.outputs, maxOutputsBytes);
    } catch (error) {
        throw new UsageError(
            "--outputs",
            `cannot read ${options.outputs}: ${(error as Error).message}`,
        );
    }
    const inputs = readProveInputs(text, `--outputs ${options.outputs}`);
    if (!fs.existsSync(options.verifyBundlePath)) {
        throw new UsageError(
            "--verify-bundle",
            `${options.verifyBundlePath} does not exist: run "npm run build" first`,
        );
    }
    return { options, inputs };
}

interface Outcome {
    exitCode: number;
    report?: ProofReport;
    messages: string[];
}

async function overSsm(options: ProveOptions, inputs: ProveInputs): Promise<Outcome> {
    if (typeof __ROLEPAIR_ON_HOST_WRAPPER__ !== "string") {
        throw new UsageError("prove", 'run the bundled program, dist/prove.js ("npm run build")');
    }
    const { target } = inputs;
    return runProof(
        {
            instanceId: target.instanceId,
            region: target.region,
            onlineTimeoutSeconds: options.onlineTimeoutSeconds,
            commandTimeoutSeconds: defaultCommandTimeoutSeconds,
            propagationTimeoutSeconds: target.propagationTimeoutSeconds,
            pollIntervalSeconds: options.pollIntervalSeconds,
            verifyBundlePath: options.verifyBundlePath,
            profilesPath: target.profilesPath,
            credentialAgent: target.plan.some((t) => t.agent === true),
        },
        JSON.stringify(target.plan),
        __ROLEPAIR_ON_HOST_WRAPPER__,
        progress,
    );
}

async function overSsh(options: ProveOptions, inputs: ProveInputs): Promise<Outcome> {
    const { target } = inputs;
    const result = await proveOverSsh(target, inputs.privateKey as string, {
        port: options.sshPort,
        bundle: fs.readFileSync(options.verifyBundlePath),
        progress,
    });
    if (result.code === sshFailed) {
        return {
            exitCode: exitCodes.couldNotRun,
            messages: [`prove: ${describeSshFailure(target, options.sshPort, result.stderr)}`],
        };
    }
    const host = result.stderr
        .trimEnd()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => `host: ${line}`);
    if (result.step !== "verify") {
        const what =
            result.step === "sync"
                ? `the AWS profiles could not be synced on ${target.instanceId} from ${target.profilesPath} (exit ${result.code})`
                : `the verify bundle could not be copied to ${target.instanceId} (exit ${result.code})`;
        return { exitCode: exitCodes.couldNotRun, messages: [...host, `prove: ${what}`] };
    }
    let report: ProofReport | undefined;
    try {
        report = JSON.parse(result.stdout) as ProofReport;
    } catch {
        return {
            exitCode: result.code >= 1 && result.code <= 3 ? result.code : exitCodes.couldNotRun,
            messages: [...host, `prove: verify printed no report (exit ${result.code})`],
        };
    }
    return { exitCode: result.code, report, messages: host };
}

export async function main(argv: string[]): Promise<number> {
    if (printHelpIfAsked(argv, usage)) return exitCodes.ok;
    let read;
    try {
        read = readInputs(argv);
    } catch (error) {
        return reportUsageError("prove", usage, error);
    }
    const { options, inputs } = read;
    let outcome: Outcome;
    try {
        outcome =
            inputs.target.transport === "ssm"
                ? await overSsm(options, inputs)
                : await overSsh(options, inputs);
    } catch (error) {
        if (error instanceof RunnerError) {
            process.stderr.write(`prove: ${error.message}\n`);
            return error.exitCode;
        }
        const name = error instanceof Error ? error.name : "Error";
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`prove: ${name}: ${message}\n`);
        return exitCodes.couldNotRun;
    }
    for (const line of outcome.messages) process.stderr.write(`${line}\n`);
    if (outcome.report) {
        if (options.json) {
            process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
            if (!outcome.report.ok)
                process.stderr.write(`prove: ${describeFailure(outcome.report)}\n`);
        } else {
            process.stdout.write(`${formatChecklist(outcome.report)}\n`);
        }
    }
    return outcome.exitCode;
}

runCommandLine("prove", main);
