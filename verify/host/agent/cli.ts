// node dist/credential-agent.js --services FILE [--listen ADDRESS:PORT]
// node dist/credential-agent.js --print-credentials --token-file FILE [--agent URL]
import { startAgent } from "./agent";
import { defaultAgentUrl, fetchProcessCredentials } from "./printCredentials";
import { ServicesFileError } from "./servicesFile";
import { commandName } from "../../cli/commandName";
import { exitCodes, exitCodesHelp } from "../../cli/exitCodes";

const command = commandName("rolepair-credential-agent", "credential-agent.js");
export const usage = `Usage: ${command} --services FILE [--listen ADDRESS:PORT]
           (default 169.254.170.23:80)
       ${command} --print-credentials --token-file FILE [--agent URL]
           (credential_process; default ${defaultAgentUrl})

${exitCodesHelp("served until SIGTERM, or the credentials printed")}
  (2 also: a services file that is not valid; 3 also: the address cannot be bound, or the agent
  did not give credentials)`;

export type Parsed =
    | { mode: "serve"; servicesFile: string; host: string; port: number }
    | { mode: "print"; tokenFile: string; agentUrl: string }
    | { mode: "help" };

export class UsageError extends Error {}

/** Parses the flags; throws a UsageError naming the flag and what it accepts. */
export function parseArgs(argv: readonly string[]): Parsed {
    const values = new Map<string, string>();
    let print = false;
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--help" || flag === "-h") return { mode: "help" };
        if (flag === "--print-credentials") {
            print = true;
            continue;
        }
        if (!["--services", "--listen", "--token-file", "--agent"].includes(flag)) {
            throw new UsageError(`unknown flag ${JSON.stringify(flag)}`);
        }
        const value = argv[++i];
        if (value === undefined || value.startsWith("--"))
            throw new UsageError(`${flag} needs a value`);
        if (values.has(flag)) throw new UsageError(`${flag} given twice`);
        values.set(flag, value);
    }
    if (print) {
        const tokenFile = values.get("--token-file");
        if (tokenFile === undefined)
            throw new UsageError("--print-credentials needs --token-file FILE");
        for (const f of ["--services", "--listen"]) {
            if (values.has(f)) throw new UsageError(`${f} does not go with --print-credentials`);
        }
        return { mode: "print", tokenFile, agentUrl: values.get("--agent") ?? defaultAgentUrl };
    }
    const servicesFile = values.get("--services");
    if (servicesFile === undefined) throw new UsageError("--services FILE is required");
    for (const f of ["--token-file", "--agent"]) {
        if (values.has(f)) throw new UsageError(`${f} goes only with --print-credentials`);
    }
    const listen = values.get("--listen") ?? "169.254.170.23:80";
    const match = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(listen);
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || port > 65535) {
        throw new UsageError(
            `--listen ${JSON.stringify(listen)} is not ADDRESS:PORT (169.254.170.23:80)`,
        );
    }
    return { mode: "serve", servicesFile, host: match[1].replace(/^\[|\]$/g, ""), port };
}

const log = (line: string) => process.stderr.write(`credential-agent: ${line}\n`);

async function main(argv: string[]): Promise<void> {
    let parsed: Parsed;
    try {
        parsed = parseArgs(argv);
    } catch (error) {
        process.stderr.write(`credential-agent: ${(error as Error).message}\n${usage}\n`);
        process.exit(exitCodes.usage);
    }
    if (parsed.mode === "help") {
        process.stdout.write(`${usage}\n`);
        return;
    }
    if (parsed.mode === "print") {
        try {
            const credentials = await fetchProcessCredentials(parsed.tokenFile, parsed.agentUrl);
            process.stdout.write(`${JSON.stringify(credentials)}\n`);
        } catch (error) {
            log((error as Error).message);
            process.exit(exitCodes.couldNotRun);
        }
        return;
    }
    try {
        const agent = await startAgent({ ...parsed, log });
        const stop = () => {
            agent.close().then(() => process.exit(0));
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
    } catch (error) {
        if (error instanceof ServicesFileError) {
            log(`--services ${parsed.servicesFile}: ${error.message}`);
            process.exit(exitCodes.usage);
        }
        log(`cannot start: ${(error as Error).message}`);
        process.exit(exitCodes.couldNotRun);
    }
}

if (require.main === module) void main(process.argv.slice(2));
