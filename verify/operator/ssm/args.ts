// Command-line flags of the SSM runner. Bad flags are UsageErrors (exit 2), all reported at once.
import { commandName } from "../../cli/commandName";
import { exitCodesHelp } from "../../cli/exitCodes";
import * as path from "path";

import { numberFlag, pollIntervalFlag, readInstanceFlags } from "../../cli/flags";
import { UsageCollector } from "../../../contract/usageError";
import { maxExecutionTimeoutSeconds } from "../../../contract/ssmLimits";

export interface RunnerOptions {
    instanceId: string;
    region: string;
    /** How long to wait for the instance to be Online in Systems Manager. */
    onlineTimeoutSeconds: number;
    /** executionTimeout of the command that runs verify; also bounds each delivery command. */
    commandTimeoutSeconds: number;
    /** Passed to verify as --propagation-timeout when given. */
    propagationTimeoutSeconds?: number;
    /** First wait between two polls; later waits grow to 5 times it. */
    pollIntervalSeconds: number;
    /** The verify bundle to deliver. */
    verifyBundlePath: string;
    /** The host's SSM parameter path of profiles: synced on the host (as root) before verify. */
    profilesPath?: string;
    /** With profilesPath: the sync step also installs (or keeps) the credential agent. */
    credentialAgent?: boolean;
}

export const defaultOnlineTimeoutSeconds = 600;
export const defaultCommandTimeoutSeconds = 600;
export const defaultPollIntervalSeconds = 2;

const command = commandName("rolepair-ssm-runner", "ssm-runner.js");
export const usage = `Usage: ${command} --instance-id I --region R [options] < plan.json

Runs the verify proof on an EC2 instance through Systems Manager Run Command, from the operator's
machine: no inbound port, no public address, no key. Reads verify's plan (the JSON array verify's
--targets takes) on stdin, waits until the instance is Online in Systems Manager, delivers the
verify bundle in AWS-RunShellScript parameters (no S3; sha256 checked on the host), runs it there
as ec2-user and prints verify's JSON report. Credentials: the default chain (AWS_PROFILE, ...).

Flags (every valued flag also takes the form --flag=value):
  --instance-id I            the instance (i-...) (required)
  --region R                 its region (required)
  --online-timeout S         seconds to wait for the instance to be Online (default ${defaultOnlineTimeoutSeconds})
  --command-timeout S        seconds verify may run on the host, 30 to ${maxExecutionTimeoutSeconds} (default ${defaultCommandTimeoutSeconds})
  --propagation-timeout S    passed to verify (default: verify's own, 120)
  --poll-interval S          first wait between polls, 0.01 to 60 (default ${defaultPollIntervalSeconds})
  --verify-bundle PATH       the bundle to deliver (default: verify.js next to this runner)
  --profiles-path P          the host's SSM parameter path of AWS profiles: install the sync agent
                             if missing and sync once, as root, before verify (default: no sync)
  --credential-agent         with --profiles-path: the sync step also installs the credential
                             agent and the IMDS lock (default: not)
  --help, -h                 print this text
${exitCodesHelp("the proof holds", "the proof ran on the host and an expectation failed")}
  (3 also: the instance never came Online, the bundle arrived corrupted, or the command failed,
  timed out or lost its output)`;

// Besides --instance-id and --region, which readInstanceFlags reads first.
const valued = [
    "--online-timeout",
    "--command-timeout",
    "--propagation-timeout",
    "--poll-interval",
    "--verify-bundle",
    "--profiles-path",
] as const;

/**
 * --online-timeout: seconds to wait for the instance to be Online in Systems Manager, 1 to 86,400.
 * prove takes it too, for the same wait on its SSM route.
 */
export function onlineTimeoutFlag(
    problems: UsageCollector,
    raw: string | undefined,
): number | undefined {
    return numberFlag(problems, "--online-timeout", raw, defaultOnlineTimeoutSeconds, 1, 86_400);
}

/** Parses the runner's flags; throws every usage error at once. */
export function parseRunnerArgs(argv: readonly string[], runnerDir: string): RunnerOptions {
    const problems = new UsageCollector();
    const { values, switches, instanceId, region } = readInstanceFlags(argv, valued, problems, [
        "--credential-agent",
    ]);
    const online = onlineTimeoutFlag(problems, values.get("--online-timeout"));
    const command = numberFlag(
        problems,
        "--command-timeout",
        values.get("--command-timeout"),
        defaultCommandTimeoutSeconds,
        30,
        maxExecutionTimeoutSeconds,
    );
    const propagation = numberFlag(
        problems,
        "--propagation-timeout",
        values.get("--propagation-timeout"),
        undefined,
        0,
        3600,
    );
    const poll = pollIntervalFlag(
        problems,
        values.get("--poll-interval"),
        defaultPollIntervalSeconds,
    );
    const profilesPath = values.get("--profiles-path");
    if (profilesPath !== undefined && !/^(\/[A-Za-z0-9_.-]+){1,15}$/.test(profilesPath)) {
        problems.add(
            "--profiles-path",
            `${JSON.stringify(profilesPath)} is not an SSM parameter path such as /rolepair/project/stack/name/profiles`,
        );
    }
    const credentialAgent = switches.has("--credential-agent");
    if (credentialAgent && profilesPath === undefined) {
        problems.add(
            "--credential-agent",
            "only with --profiles-path: the agent is installed by the profile sync step",
        );
    }
    problems.throwIfAny();
    return {
        instanceId,
        region,
        onlineTimeoutSeconds: online as number,
        commandTimeoutSeconds: command as number,
        propagationTimeoutSeconds: propagation,
        pollIntervalSeconds: poll as number,
        verifyBundlePath: values.get("--verify-bundle") ?? path.join(runnerDir, "verify.js"),
        profilesPath,
        credentialAgent,
    };
}
