// The host-key reader's command line: the key to pin on stdout, progress and diagnoses on stderr.
// Credentials come from the default chain only; none is ever an argument or printed.
import { EC2Client } from "@aws-sdk/client-ec2";

import { describeError } from "../../cli/errors";
import { exitCodes } from "../../cli/exitCodes";
import { printHelpIfAsked, reportUsageError, runCommandLine } from "../../cli/commandLine";
import { parseHostKeyArgs, usage, type HostKeyOptions } from "./args";
import { authorizedKeyLine } from "../../../contract/hostKeys";
import { fingerprint, HostKeyError, readHostKey } from "./reader";

const progress = (line: string) => process.stderr.write(`… ${line}\n`);

async function run(options: HostKeyOptions): Promise<number> {
    const ec2 = new EC2Client({ region: options.region });
    const { key, all } = await readHostKey(ec2, options, progress);
    progress(
        `${options.instanceId} has ${all.map((k) => k.type).join(", ")}; pinning ${key.type} ${fingerprint(key)}`,
    );
    process.stdout.write(`${authorizedKeyLine(key)}\n`);
    return exitCodes.ok;
}

export async function main(argv: string[]): Promise<number> {
    if (printHelpIfAsked(argv, usage)) return exitCodes.ok;
    let options: HostKeyOptions;
    try {
        options = parseHostKeyArgs(argv);
    } catch (error) {
        return reportUsageError("host-key", usage, error);
    }
    try {
        return await run(options);
    } catch (error) {
        if (error instanceof HostKeyError) {
            process.stderr.write(`host-key: ${error.message}\n`);
            return error.exitCode;
        }
        const hint =
            error instanceof Error && error.name === "CredentialsProviderError"
                ? " (no credentials from the default chain: set AWS_PROFILE, or the provider's credentials in the environment)"
                : "";
        process.stderr.write(`host-key: ${describeError(error)}${hint}\n`);
        return exitCodes.couldNotRun;
    }
}

runCommandLine("host-key", main, describeError);
