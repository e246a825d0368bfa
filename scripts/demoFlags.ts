// The demo's flags. Anything else is a usage error naming the flag (exit 2), so a typo such as
// --brokengrant cannot silently run the passing demo.
import { UsageError } from "../contract/usageError";

export const demoUsage = [
    "usage: npm run demo [-- [--full-command] [--broken-grant]]",
    "",
    "Runs the walkthrough's three services on the moto emulator and proves the matrix with verify.",
    "  --full-command  print the exact command line (the plan and the emulator's environment)",
    "  --broken-grant  service-b's access policy also names service-a's bucket: the proof fails",
    "                  (the isolation row named) and the demo exits 1",
    "  --help, -h      print this text",
    "",
    "Exit: 0 the proof holds, 1 it fails, 2 a usage error, 3 cannot run (an older Node.js).",
].join("\n");

export interface DemoFlags {
    help: boolean;
    fullCommand: boolean;
    brokenGrant: boolean;
}

/** Reads the demo's arguments; throws a UsageError naming the first unknown one. */
export function parseDemoFlags(argv: readonly string[]): DemoFlags {
    const flags: DemoFlags = { help: false, fullCommand: false, brokenGrant: false };
    for (const arg of argv) {
        if (arg === "--help" || arg === "-h") flags.help = true;
        else if (arg === "--full-command") flags.fullCommand = true;
        else if (arg === "--broken-grant") flags.brokenGrant = true;
        else
            throw new UsageError(
                arg,
                "unknown flag; accepted: --full-command, --broken-grant, --help",
            );
    }
    return flags;
}
