// The command lines the components run: the proof on the host, the operator-side tools, and the
// assume-role line a person pastes. Pure functions, so tests run exactly the strings sent.
import type { VerifyTarget } from "../contract/plan";

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

export interface VerifyPlanCommandArgs {
    scriptPath: string;
    region: string;
    propagationTimeoutSeconds?: number;
}

/**
 * `node <bundle> --targets - --region R [--propagation-timeout N] --json`: the proof's one command
 * form. The plan (verifyPlanJson) arrives on stdin, so no value of it is ever a shell word.
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

export interface SsmRunnerCommandArgs {
    runnerPath: string;
    instanceId: string;
    region: string;
    propagationTimeoutSeconds?: number;
    /** The host's parameter path of profiles, synced on the host before the proof. */
    profilesPath?: string;
    /** The sync step also installs the credential agent (--credential-agent). */
    credentialAgent?: boolean;
}

/** `node <runner> --instance-id I --region R [--propagation-timeout N] [--profiles-path P [--credential-agent]]`, run on the operator's machine. */
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
    if (args.credentialAgent === true) words.push("--credential-agent");
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
