// The demo's flags. Anything else is a usage error naming the flag (exit 2), so a typo such as
// --ful-command cannot silently run the passing demo.
import { UsageError } from "../contract/usageError";

export const demoUsage = [
    "usage: npm run demo [-- [--full-command]]",
    "",
    "Runs the walkthrough's three services on the moto emulator and proves the matrix with verify.",
    "  --full-command  print the exact command line (the plan and the emulator's environment)",
    "  --help, -h      print this text",
].join("\n");

export interface DemoFlags {
    help: boolean;
    fullCommand: boolean;
}

/** Reads the demo's arguments; throws a UsageError naming the first unknown one. */
export function parseDemoFlags(argv: readonly string[]): DemoFlags {
    const flags: DemoFlags = { help: false, fullCommand: false };
    for (const arg of argv) {
        if (arg === "--help" || arg === "-h") flags.help = true;
        else if (arg === "--full-command") flags.fullCommand = true;
        else throw new UsageError(arg, "unknown flag; accepted: --full-command, --help");
    }
    return flags;
}
