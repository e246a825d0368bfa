// The host's user, group and unit commands, as the agent's side of the sync runs them: execFile
// with an argument list (no shell), a bound on time and output. Injectable, so that tests run the
// real useradd/groupadd under names of their own and record systemctl where no systemd runs.
import { execFile } from "child_process";
import * as fs from "fs";

export interface CommandResult {
    /** The exit code; -1 when the command could not be run or was stopped. */
    code: number;
    stdout: string;
    stderr: string;
}

export type RunCommand = (file: string, args: readonly string[]) => Promise<CommandResult>;

const timeoutMs = 30_000;

/** Runs `file` with `args` as they are; never throws (the caller reads the result). */
export const runCommand: RunCommand = (file, args) =>
    new Promise((resolve) => {
        execFile(
            file,
            [...args],
            { timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: "utf8" },
            (error, stdout, stderr) => {
                const code =
                    error === null
                        ? 0
                        : typeof (error as { code?: unknown }).code === "number"
                          ? ((error as { code: number }).code as number)
                          : -1;
                const why = error !== null && code === -1 ? `${error.message}\n` : "";
                resolve({ code, stdout, stderr: `${why}${stderr}` });
            },
        );
    });

/** Whether systemd runs this host (the tests' stand-in root has none). */
export function systemdRuns(root: string): boolean {
    return root === "" && fs.existsSync("/run/systemd/system");
}

/** A user's or group's entry from the name service; undefined when there is none. */
export async function getent(
    run: RunCommand,
    database: "passwd" | "group",
    name: string,
): Promise<string[] | undefined> {
    const result = await run("getent", [database, name]);
    if (result.code === 2) return undefined;
    if (result.code !== 0) {
        throw new Error(`getent ${database} ${name} failed (${commandProblem(result)})`);
    }
    return result.stdout.trimEnd().split("\n")[0].split(":");
}

/** A failed command's reason, on one short line. */
export function commandProblem(result: CommandResult): string {
    const text = result.stderr.trim().split("\n").slice(-1)[0] ?? "";
    return `exit ${result.code}${text === "" ? "" : `: ${text.slice(0, 200)}`}`;
}

/** Runs a command that must succeed; throws naming it and why when it does not. */
export async function mustRun(run: RunCommand, file: string, args: readonly string[]) {
    const result = await run(file, args);
    if (result.code !== 0) throw new Error(`${file} ${args.join(" ")}: ${commandProblem(result)}`);
    return result;
}
