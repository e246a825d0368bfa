// The command line the demo shows: by default the short form a person would type on the host
// (the plan from a file); with --full-command the whole line, plan and emulator environment
// included (~900 characters), which reproduces the run exactly.

/** A word as the shell reads it back unchanged: bare when safe, otherwise single-quoted. */
export function shellWord(word: string): string {
    return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface DemoCommand {
    /** The bundle's path relative to the repository. */
    bundle: string;
    /** verify's arguments (with `--targets -`: the plan on stdin). */
    args: readonly string[];
    plan: string;
    env: NodeJS.ProcessEnv;
}

/** What a person would type: `node dist/verify.js --targets - ... < plan.json`. */
export function shortCommand(command: DemoCommand): string {
    return ["node", command.bundle, ...command.args].map(shellWord).join(" ") + " < plan.json";
}

/** The exact run: the plan echoed in, and `env -i` with the emulator's environment (PATH as the shell's). */
export function fullCommand(command: DemoCommand): string {
    const assignments = Object.entries(command.env)
        .filter(([name, value]) => name !== "PATH" && value !== undefined)
        .map(([name, value]) => `${name}=${shellWord(value!)}`);
    return [
        `echo ${shellWord(command.plan)} |`,
        `env -i PATH="$PATH"`,
        ...assignments,
        "node",
        shellWord(command.bundle),
        ...command.args.map(shellWord),
    ].join(" ");
}
