// Command-line flags of prove. Bad flags are UsageErrors (exit 2), all reported at once.
import { commandName } from "../../cli/commandName";
import { exitCodesHelp } from "../../cli/exitCodes";
import * as path from "path";

import { numberFlag, pollIntervalFlag, readFlags } from "../../cli/flags";
import { UsageCollector } from "../../../contract/usageError";
import { defaultOnlineTimeoutSeconds, onlineTimeoutFlag } from "../ssm/args";

export interface ProveOptions {
    /** "-" for stdin, or a file. */
    outputs: string;
    sshPort: number;
    verifyBundlePath: string;
    pollIntervalSeconds: number;
    onlineTimeoutSeconds: number;
    json: boolean;
}

const command = commandName("rolepair-prove", "prove.js");
export const usage = `Usage: ${command} --outputs - | FILE [options]
       pulumi stack output --json --show-secrets | ${command} --outputs -

Re-runs the proof against a live stack, without pulumi up: reads the stack's outputs (proofTarget,
and sshPrivateKey over SSH), syncs the host's AWS profiles from SSM Parameter Store, runs verify on
the host over the stack's transport (SSH with the pinned host key, or SSM Run Command) and prints
verify's checklist and isolation matrix. Run it from a scheduled job to catch drift made by hand.
Credentials (SSM transport): the default chain (AWS_PROFILE, ...).

Flags (every valued flag also takes the form --flag=value):
  --outputs - | FILE       the stack outputs as pulumi stack output --json --show-secrets prints them (required)
  --json                   print verify's JSON report instead of the checklist
  --ssh-port N             SSH port of the host (default 22)
  --verify-bundle PATH     the bundle to run (default: verify.js next to this program)
  --poll-interval S        SSM: first wait between polls, 0.01 to 60 (default 2)
  --online-timeout S       SSM: seconds to wait for the instance to be Online (default ${defaultOnlineTimeoutSeconds})
  --help, -h               print this text
${exitCodesHelp("the proof holds", "the proof ran on the host and an expectation failed")}
  (2 also: outputs without a stack or with verification off)`;

const valued = [
    "--outputs",
    "--ssh-port",
    "--verify-bundle",
    "--poll-interval",
    "--online-timeout",
] as const;

export function parseProveArgs(argv: readonly string[], proveDir: string): ProveOptions {
    const problems = new UsageCollector();
    const { values, switches } = readFlags(argv, valued, ["--json"], problems);
    const outputs = values.get("--outputs");
    if (outputs === undefined) {
        problems.add(
            "--outputs",
            'required: "-" (stdin) or a file of pulumi stack output --json --show-secrets',
        );
    }
    const port = numberFlag(problems, "--ssh-port", values.get("--ssh-port"), 22, 1, 65535);
    const poll = pollIntervalFlag(problems, values.get("--poll-interval"), 2);
    const online = onlineTimeoutFlag(problems, values.get("--online-timeout"));
    problems.throwIfAny();
    return {
        outputs: outputs as string,
        sshPort: port as number,
        verifyBundlePath: values.get("--verify-bundle") ?? path.join(proveDir, "verify.js"),
        pollIntervalSeconds: poll as number,
        onlineTimeoutSeconds: online as number,
        json: switches.has("--json"),
    };
}
