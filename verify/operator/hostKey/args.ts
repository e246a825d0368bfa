// Command-line flags of the host-key reader. Bad flags are UsageErrors (exit 2), all reported at once.
import { commandName } from "../../cli/commandName";
import { exitCodesHelp } from "../../cli/exitCodes";
import { numberFlag, pollIntervalFlag, readInstanceFlags } from "../../cli/flags";
import { UsageCollector } from "../../../contract/usageError";
import type { ReadOptions } from "./reader";

export interface HostKeyOptions extends ReadOptions {
    region: string;
}

export const defaultTimeoutSeconds = 900;
export const defaultPollSeconds = 5;

const command = commandName("rolepair-host-key", "host-key.js");
export const usage = `Usage: ${command} --instance-id I --region R [options]

Prints the SSH host key to pin for an EC2 instance, read from its console output, where cloud-init
prints the host's public keys at the end of its first boot. The console is read through EC2's
signed API, so a host key read here cannot be forged by anyone between this machine and the host.
Prints one line, "<type> <base64>", as pulumi-command's connection.hostKey takes it; progress and
the key's SHA256 fingerprint go to stderr. Credentials: the default chain (AWS_PROFILE, ...); they
need ec2:GetConsoleOutput on the instance.

Flags (every valued flag also takes the form --flag=value):
  --instance-id I       the instance (i-...) (required)
  --region R            its region (required)
  --timeout S           seconds to wait for the keys, 1 to 3600 (default ${defaultTimeoutSeconds})
  --poll-interval S     seconds between two reads, 0.01 to 60 (default ${defaultPollSeconds})
  --help, -h            print this text
${exitCodesHelp("the key is printed", "the console was read and held no pinnable key in time")}
  (3 also: access to the console denied)`;

// Besides --instance-id and --region, which readInstanceFlags reads first.
const valued = ["--timeout", "--poll-interval"] as const;

/** Parses the reader's flags; throws every usage error at once. */
export function parseHostKeyArgs(argv: readonly string[]): HostKeyOptions {
    const problems = new UsageCollector();
    const { values, instanceId, region } = readInstanceFlags(argv, valued, problems);
    const timeout = numberFlag(
        problems,
        "--timeout",
        values.get("--timeout"),
        defaultTimeoutSeconds,
        1,
        3600,
    );
    const poll = pollIntervalFlag(problems, values.get("--poll-interval"), defaultPollSeconds);
    problems.throwIfAny();
    return {
        instanceId,
        region,
        timeoutSeconds: timeout as number,
        pollSeconds: poll as number,
    };
}
