// The one exit-code scheme every bin follows (verify, prove, ssm-runner, host-key, profile-sync,
// credential-agent), so a script or a systemd unit can tell "the answer is no" from "fix the
// command line" from "try again later" without knowing which tool it ran.

export const exitCodes = {
    /** The tool did its job and the answer is yes: the proof holds, the key is printed, ... */
    ok: 0,
    /** The tool ran to its end and the answer is no: the proof failed, no key in time, ... */
    failed: 1,
    /** The command line or an input file is wrong; nothing was asked of AWS or the host. */
    usage: 2,
    /** The tool could not run: no credentials, AWS or the host unreachable, a timeout. */
    couldNotRun: 3,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/**
 * The help text's exit-code paragraph: what 0 and 1 mean for this tool (no line for 1 when the
 * tool has no "no" to answer), 2 and 3 the same for all.
 */
export function exitCodesHelp(ok: string, failed?: string): string {
    return [
        "Exit codes (the same for every rolepair command):",
        `  0 ${ok}`,
        ...(failed === undefined ? [] : [`  1 ${failed}`]),
        `  2 usage error: a bad flag or input file, reported before anything runs`,
        `  3 could not run: no AWS credentials, AWS or the host unreachable, or a timeout`,
    ].join("\n");
}
