// rolepair-profile-sync: writes the host user's AWS config file from the SSM parameters under one
// path. Run as root by the systemd service rolepair-profiles (on boot and every minute) and by the
// deploying side before a proof:
//
//   node profile-sync.js --path /rolepair/<project>/<stack>/<host>/profiles --config FILE [--region R]
//                        [--profiles NAME,NAME...]
//
// --profiles (the deploying side, just before its proof): write only these of the path's profiles.
// Pulumi deletes a removed service's parameter only after every create and update, so after the
// proof: without it, the proof would find the removed service's profile still on the host.
// Exit codes follow verify/cli/exitCodes.ts, as the help text states. Any non-zero code makes the
// systemd unit fail and profileSyncNow retry, so the codes only tell an operator why.
import { instanceRegion } from "../../../contract/region";
import { maxServicesPerHost } from "../../../contract/plan";
import { profileNameProblem, ruleProblem, regionRule } from "../../../contract/rules";
import { applyAgent } from "./agentHost";
import { syncProfiles } from "./sync";
import { commandName } from "../../cli/commandName";
import { exitCodes, exitCodesHelp } from "../../cli/exitCodes";

const name = "rolepair-profile-sync";
const usageLine = `Usage: ${commandName(name, "profile-sync.js")} --path /rolepair/<project>/<stack>/<host>/profiles --config FILE [--region R] [--profiles NAME,NAME...]`;
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
        if (!["--path", "--config", "--region", "--profiles"].includes(flag))
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
    const listed = values.get("--profiles");
    let only: string[] | undefined;
    if (listed !== undefined) {
        only = listed.split(",");
        const bad = only.find((p) => profileNameProblem(p) !== undefined);
        if (bad !== undefined || only.length > maxServicesPerHost) {
            fail(
                `--profiles ${JSON.stringify(listed.slice(0, 80))}: expected 1 to ${maxServicesPerHost} profile names, comma-separated, each ${profileNameProblem(bad ?? "")}`,
                exitCodes.usage,
            );
        }
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
        ...(only !== undefined ? { only } : {}),
    });
    for (const line of result.lines) process.stderr.write(`${name}: ${line}\n`);
    let exitCode = result.exitCode;
    // The agent follows the profiles only when they were read and written: an unread SSM or a
    // refused file changes nothing (an empty read must never turn the agent off).
    if (result.written) {
        // The tests' stand-in for / (contract/profileSync.ts); unset on a host. Only there may
        // the agent's user be another (the tests' own, removed after them).
        const root = process.env.ROLEPAIR_HOST_ROOT ?? "";
        const testUser = root === "" ? undefined : process.env.ROLEPAIR_AGENT_USER;
        const agent = await applyAgent(result.profiles, {
            root,
            region,
            refused: result.refused,
            ...(testUser !== undefined && /^rolepair-test-[a-z0-9-]{1,18}$/.test(testUser)
                ? { user: testUser }
                : {}),
        });
        for (const line of agent.lines) process.stderr.write(`${name}: ${line}\n`);
        if (agent.failed) exitCode = exitCodes.failed;
    }
    process.exit(exitCode);
}

setTimeout(
    () =>
        fail(`gave up after ${overallTimeoutMs / 1000} s; nothing written`, exitCodes.couldNotRun),
    overallTimeoutMs,
).unref();
main().catch((error: unknown) =>
    fail(`${(error as Error).message}; nothing written`, exitCodes.couldNotRun),
);
