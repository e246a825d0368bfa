// rolepair-profile-sync: writes the host user's AWS config file from the SSM parameters under one
// path. Run as root by the systemd service rolepair-profiles (on boot and every minute) and by the
// deploying side before a proof:
//
//   node profile-sync.js --path /rolepair/<project>/<stack>/<host>/profiles --config FILE [--region R]
//
// Exit codes follow verify/cli/exitCodes.ts, as the help text states. Any non-zero code makes the
// systemd unit fail and profileSyncNow retry, so the codes only tell an operator why.
import { instanceRegion } from "../../../contract/region";
import { ruleProblem, regionRule } from "../../../contract/rules";
import { syncProfiles } from "./sync";
import { commandName } from "../../cli/commandName";
import { exitCodes, exitCodesHelp } from "../../cli/exitCodes";

const name = "rolepair-profile-sync";
const usageLine = `Usage: ${commandName(name, "profile-sync.js")} --path /rolepair/<project>/<stack>/<host>/profiles --config FILE [--region R]`;
const usage = `${usageLine}

${exitCodesHelp(
    "the config file holds every profile under the path",
    "the file lacks profiles: parameters refused (named; the others are written), none or\n" +
        "    more than the cap under the path, or the config file or its directory refused (the old\n" +
        "    file is kept)",
)}
  (3 here: SSM could not be read, or no region; the old file is kept)`;
/** The whole run's bound, under the unit's TimeoutStartSec. */
const overallTimeoutMs = 100_000;
/** The AWS CLI's bound (one call, all pages). */
const fetchTimeoutMs = 60_000;

function fail(message: string, code: number): never {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(code);
}

function parseArgs(argv: string[]): Map<string, string> {
    const values = new Map<string, string>();
    for (let i = 0; i < argv.length; i += 2) {
        const flag = argv[i];
        if (!["--path", "--config", "--region"].includes(flag))
            fail(`unknown argument ${JSON.stringify(flag)}; ${usageLine}`, exitCodes.usage);
        const value = argv[i + 1];
        if (value === undefined) fail(`${flag} needs a value; ${usageLine}`, exitCodes.usage);
        if (values.has(flag)) fail(`${flag} given twice; ${usageLine}`, exitCodes.usage);
        values.set(flag, value);
    }
    return values;
}

async function main(): Promise<void> {
    if (process.argv.length === 3 && ["--help", "-h"].includes(process.argv[2])) {
        process.stdout.write(`${usage}\n`);
        process.exit(0);
    }
    const values = parseArgs(process.argv.slice(2));
    const parameterPath = values.get("--path");
    const configFile = values.get("--config");
    if (parameterPath === undefined || configFile === undefined) fail(usageLine, exitCodes.usage);
    if (!/^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]{1,200}){1,8}$/.test(parameterPath)) {
        fail(
            `--path ${JSON.stringify(parameterPath)}: expected an SSM path such as /rolepair/p/s/host/profiles`,
            exitCodes.usage,
        );
    }
    if (!configFile.startsWith("/") || configFile.split("/").some((p) => p === "..")) {
        fail(
            `--config ${JSON.stringify(configFile)}: expected an absolute path without ..`,
            exitCodes.usage,
        );
    }
    let region = values.get("--region");
    if (region !== undefined && ruleProblem(regionRule, region) !== undefined) {
        fail(
            `--region ${JSON.stringify(region)}: expected ${regionRule.accepted}`,
            exitCodes.usage,
        );
    }
    region ??= await instanceRegion(process.env);
    if (region === undefined)
        fail(
            "no region: not on EC2 (IMDSv2 gave none) and no --region; nothing written",
            exitCodes.couldNotRun,
        );
    const result = await syncProfiles({
        path: parameterPath,
        configFile,
        region,
        timeoutMs: fetchTimeoutMs,
    });
    for (const line of result.lines) process.stderr.write(`${name}: ${line}\n`);
    process.exit(result.exitCode);
}

setTimeout(
    () =>
        fail(`gave up after ${overallTimeoutMs / 1000} s; nothing written`, exitCodes.couldNotRun),
    overallTimeoutMs,
).unref();
main().catch((error: unknown) =>
    fail(`${(error as Error).message}; nothing written`, exitCodes.couldNotRun),
);
