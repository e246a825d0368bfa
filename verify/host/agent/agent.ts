// The running agent: the services file loaded, the server listening, reloads on SIGHUP and when the
// file is replaced (the directory is watched: a rename leaves the old inode behind). A bad file at
// start is fatal. A bad file on reload is said in one line, and until a good one loads no service
// is served: the file it replaced may have been a removal or a rotation, so the services and tokens
// loaded before are not to be trusted any more (failing closed; credentials already handed out
// live until they expire, as after any removal).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { AssumeRole, CredentialCache } from "./cache";
import { createAgentServer, AgentState } from "./server";
import { AgentConfig, loadServicesFile, ServicesFileError } from "./servicesFile";
import { stsAssumeRole } from "./sts";
import { TokenIndex } from "./tokens";

export interface AgentOptions {
    readonly servicesFile: string;
    readonly host: string;
    readonly port: number;
    readonly log: (line: string) => void;
    /** STS for a region (tests pass a fake). */
    readonly assumeRoleFor?: (region: string) => AssumeRole;
}

export interface RunningAgent {
    readonly address: { host: string; port: number };
    reload(): boolean;
    close(): Promise<void>;
}

function describeServices(config: AgentConfig): string {
    return config.services.map((s) => s.name).join(", ") || "(none)";
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
    const assumeRoleFor =
        options.assumeRoleFor ?? ((region: string) => stsAssumeRole(region, os.hostname()));
    let config = loadServicesFile(options.servicesFile);
    let cache = new CredentialCache(assumeRoleFor(config.region), { log: options.log });
    let state: AgentState = { tokens: new TokenIndex(config.services), cache };

    const reload = (): boolean => {
        let next: AgentConfig;
        try {
            next = loadServicesFile(options.servicesFile);
        } catch (error) {
            const why = error instanceof ServicesFileError ? error.message : String(error);
            options.log(
                `reload of ${options.servicesFile} refused, serving no service until a good file loads: ${why}`,
            );
            state = { tokens: new TokenIndex([]), cache, refused: true };
            return false;
        }
        if (next.region !== config.region) {
            cache = new CredentialCache(assumeRoleFor(next.region), { log: options.log });
        } else {
            cache.retain(next.services);
        }
        config = next;
        state = { tokens: new TokenIndex(config.services), cache };
        options.log(`reloaded: services ${describeServices(config)}`);
        return true;
    };

    const server = createAgentServer({ state: () => state, log: options.log });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const bound = server.address() as { address: string; port: number };
    options.log(
        `listening on ${bound.address}:${bound.port}; services ${describeServices(config)}`,
    );

    // Changes arrive as bursts of events (write, rename): reload once they settle.
    const directory = path.dirname(options.servicesFile);
    const base = path.basename(options.servicesFile);
    let timer: NodeJS.Timeout | undefined;
    const watcher = fs.watch(directory, (_event, name) => {
        if (name !== null && name.toString() !== base) return;
        clearTimeout(timer);
        timer = setTimeout(reload, 100);
    });
    watcher.on("error", (error) => options.log(`watching ${directory} stopped: ${error.message}`));
    const onHup = () => {
        reload();
    };
    process.on("SIGHUP", onHup);

    return {
        address: { host: bound.address, port: bound.port },
        reload,
        close: async () => {
            clearTimeout(timer);
            watcher.close();
            process.off("SIGHUP", onHup);
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
