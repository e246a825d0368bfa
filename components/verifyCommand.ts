// The remote command line that runs the verify bundle on the host, and the parsing of its report.
// Pure functions, exported so tests run exactly the string the component sends over SSH.
import type { VerifyTarget } from "../contract/plan";
import type { ProofReport } from "../contract/report";
import { describeFailure } from "../contract/report";

export interface VerifyCommandArgs {
    /** Where the bundle was copied on the host. */
    scriptPath: string;
    bucket: string;
    roleArn: string;
    region: string;
    externalId?: string;
    /** Also prove the AWS config profile route (credential_source = Ec2InstanceMetadata). */
    profile?: string;
    propagationTimeoutSeconds?: number;
}

/** POSIX single-quote quoting: safe for any value, including ones with spaces or quotes. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes only the words that need it, so the command reads as a person would type it. */
function commandLine(words: readonly string[]): string {
    // A word starting with "=" is quoted too: zsh expands =cmd to the command's path.
    return words.map((w) => (/^[\w@%+:,./-][\w@%+=:,./-]*$/.test(w) ? w : shellQuote(w))).join(" ");
}

/**
 * `aws sts assume-role --role-arn ARN --role-session-name S [--external-id X]`: the line a person
 * pastes on the host to assume the target role by hand, quoted as every generated command line is
 * (a session name such as `=ls` would otherwise be expanded by zsh to /usr/bin/ls).
 */
export function buildAssumeRoleCommand(args: {
    roleArn: string;
    sessionName: string;
    externalId?: string;
}): string {
    return commandLine([
        "aws",
        "sts",
        "assume-role",
        "--role-arn",
        args.roleArn,
        "--role-session-name",
        args.sessionName,
        ...(args.externalId !== undefined ? ["--external-id", args.externalId] : []),
    ]);
}

/**
 * `node <bundle> --bucket B --role-arn ARN --region R [...] --json`: the single-target pair's
 * command. Kept word for word: a different string would replace the pair's verify command.
 */
export function buildVerifyCommand(args: VerifyCommandArgs): string {
    const words = ["node", args.scriptPath];
    // A value that starts with "-" would read as a flag: it goes as one word, --flag=value. Other
    // values keep the two-word form every existing stack already sends.
    const flag = (name: string, value: string) =>
        value.startsWith("-") ? words.push(`${name}=${value}`) : words.push(name, value);
    flag("--bucket", args.bucket);
    flag("--role-arn", args.roleArn);
    flag("--region", args.region);
    if (args.externalId !== undefined) flag("--external-id", args.externalId);
    if (args.profile !== undefined) flag("--profile", args.profile);
    if (args.propagationTimeoutSeconds !== undefined) {
        flag("--propagation-timeout", String(args.propagationTimeoutSeconds));
    }
    words.push("--json");
    return commandLine(words);
}

export interface VerifyPlanCommandArgs {
    scriptPath: string;
    region: string;
    propagationTimeoutSeconds?: number;
}

/**
 * `node <bundle> --targets - --region R [--propagation-timeout N] --json`: the several-services
 * command. The plan (verifyPlanJson) arrives on stdin, so no value of it is ever a shell word.
 */
export function buildVerifyPlanCommand(args: VerifyPlanCommandArgs): string {
    const words = ["node", args.scriptPath, "--targets", "-", "--region", args.region];
    if (args.propagationTimeoutSeconds !== undefined) {
        words.push("--propagation-timeout", String(args.propagationTimeoutSeconds));
    }
    words.push("--json");
    return commandLine(words);
}

/** The plan verify reads with `--targets -`: one entry per service, in the order given. */
export function verifyPlanJson(targets: readonly VerifyTarget[]): string {
    return JSON.stringify(targets);
}

/** Parses verify's `--json` stdout. Throws if it is not a report, quoting the start of what came. */
export function parseVerificationReport(stdout: string): ProofReport {
    let parsed: unknown;
    try {
        parsed = JSON.parse(stdout);
    } catch {
        throw new Error(`verify did not print a JSON report; it printed: ${stdout.slice(0, 500)}`);
    }
    const report = parsed as Partial<ProofReport>;
    if (
        typeof report !== "object" ||
        report === null ||
        typeof report.ok !== "boolean" ||
        !Array.isArray(report.steps) ||
        !Array.isArray(report.services) ||
        !Array.isArray(report.isolation)
    ) {
        throw new Error(`verify printed JSON that is not a report: ${stdout.slice(0, 500)}`);
    }
    return report as ProofReport;
}

/** The report if the proof holds; otherwise an Error carrying the diagnosis, to fail `pulumi up`. */
export function requireProof(report: ProofReport): ProofReport {
    if (!report.ok) {
        throw new Error(`Assume-role verification failed on the host: ${describeFailure(report)}`);
    }
    return report;
}

export interface SsmRunnerCommandArgs {
    runnerPath: string;
    instanceId: string;
    region: string;
    propagationTimeoutSeconds?: number;
    /** The host's parameter path of profiles, synced on the host before the proof. */
    profilesPath?: string;
}

/** `node <runner> --instance-id I --region R [--propagation-timeout N] [--profiles-path P]`, run on the operator's machine. */
export function buildSsmRunnerCommand(args: SsmRunnerCommandArgs): string {
    const words = [
        "node",
        args.runnerPath,
        "--instance-id",
        args.instanceId,
        "--region",
        args.region,
    ];
    if (args.propagationTimeoutSeconds !== undefined) {
        words.push("--propagation-timeout", String(args.propagationTimeoutSeconds));
    }
    if (args.profilesPath !== undefined) words.push("--profiles-path", args.profilesPath);
    return commandLine(words);
}

/** The operator-side command that reads the host's SSH key from its console (verify/operator/hostKey). */
export function buildHostKeyCommand(args: {
    readerPath: string;
    instanceId: string;
    region: string;
}): string {
    return commandLine([
        "node",
        args.readerPath,
        "--instance-id",
        args.instanceId,
        "--region",
        args.region,
    ]);
}
