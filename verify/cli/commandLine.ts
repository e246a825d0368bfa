// The shell every command line (verify, ssm-runner, host-key, prove) shares: --help on stdout,
// usage errors on stderr one line each then the usage text (exit 2), and main's result as the
// process's exit code (an error main did not expect: exit 3).
import { errorMessage } from "./errors";
import { exitCodes } from "./exitCodes";
import { UsageError } from "../../contract/usageError";

export const usageExitCode = exitCodes.usage;
export const unexpectedExitCode = exitCodes.couldNotRun;

/** True when argv asks for help; the usage text is then printed on stdout. */
export function printHelpIfAsked(argv: readonly string[], usage: string): boolean {
    if (!argv.includes("--help") && !argv.includes("-h")) return false;
    process.stdout.write(`${usage}\n`);
    return true;
}

/**
 * Prints a UsageError's lines, each after `<tool>: `, then the usage text; returns the usage exit
 * code. Anything else is rethrown.
 */
export function reportUsageError(tool: string, usage: string, error: unknown): number {
    if (!(error instanceof UsageError)) throw error;
    const lines = error.message.split("\n").map((line) => `${tool}: ${line}\n`);
    process.stderr.write(`${lines.join("")}\n${usage}\n`);
    return usageExitCode;
}

/** Runs main on the process's arguments and exits with its code. */
export function runCommandLine(
    tool: string,
    main: (argv: string[]) => Promise<number>,
    describe: (error: unknown) => string = errorMessage,
): void {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${tool}: unexpected error: ${describe(error)}\n`);
            process.exitCode = unexpectedExitCode;
        },
    );
}
