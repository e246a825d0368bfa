// One sync: read the parameters, keep those that pass the shared rules, render the config file
// from them, write it. Each refused parameter is one line naming it and why; the others are
// written. When SSM cannot be read, or nothing is under the path, the old file is kept.
import { exitCodes } from "../../cli/exitCodes";
import {
    parseProfileParameter,
    ProfileParameterError,
    renderProfilesConfig,
    type HostProfile,
} from "../../../contract/profileParameters";
import { ConfigFileError, writeConfigFile } from "./configFile";
import { FetchError, fetchParameters, type FetchOptions } from "./fetch";

export interface SyncOptions extends FetchOptions {
    configFile: string;
    /**
     * The deploying side's plan: only these profiles are written, any other under the path is
     * left out (a removed service's parameter outlives the proof; see cli.ts). Only narrows.
     */
    only?: readonly string[];
}

export interface SyncResult {
    exitCode: typeof exitCodes.ok | typeof exitCodes.failed | typeof exitCodes.couldNotRun;
    /** What happened, one line each (the caller prefixes the program's name). */
    lines: string[];
    /** The profiles written (the credential agent renders its services file from the same list). */
    profiles: HostProfile[];
    /**
     * The names under the path whose parameters were refused: not written, but not removed
     * either (a bad write, or a newer format than this sync reads, must not destroy a token).
     */
    refused: string[];
    /** The parameters were read and the file written (or already up to date) from them. */
    written: boolean;
}

export async function syncProfiles(options: SyncOptions): Promise<SyncResult> {
    let parameters;
    try {
        parameters = await fetchParameters(options);
    } catch (error) {
        if (!(error instanceof FetchError)) throw error;
        return {
            exitCode: error.answered ? exitCodes.failed : exitCodes.couldNotRun,
            lines: [`${error.message}; ${options.configFile} is kept`],
            profiles: [],
            refused: [],
            written: false,
        };
    }
    if (parameters.length === 0) {
        return {
            exitCode: exitCodes.failed,
            lines: [`no parameter under ${options.path}; ${options.configFile} is kept`],
            profiles: [],
            refused: [],
            written: false,
        };
    }
    const lines: string[] = [];
    const leftOut: string[] = [];
    const profiles: HostProfile[] = [];
    const refusedNames: string[] = [];
    const prefix = `${options.path}/`;
    for (const parameter of parameters) {
        try {
            const profile = parseProfileParameter(options.path, parameter.name, parameter.value);
            if (options.only !== undefined && !options.only.includes(profile.name)) {
                leftOut.push(profile.name);
            } else {
                profiles.push(profile);
            }
        } catch (error) {
            if (!(error instanceof ProfileParameterError)) throw error;
            lines.push(`refused ${error.message}`);
            if (parameter.name.startsWith(prefix))
                refusedNames.push(parameter.name.slice(prefix.length));
        }
    }
    const refused = lines.length;
    if (leftOut.length > 0) {
        lines.push(
            `left out profiles not in the deploy's plan: ${leftOut.sort().join(", ")} (their parameters are deleted after the proof)`,
        );
    }
    let wrote: boolean;
    try {
        wrote = writeConfigFile(options.configFile, renderProfilesConfig(profiles));
    } catch (error) {
        if (!(error instanceof ConfigFileError)) throw error;
        return {
            exitCode: exitCodes.failed,
            lines: [...lines, `${error.message}; nothing written`],
            profiles: [],
            refused: refusedNames,
            written: false,
        };
    }
    const names =
        profiles
            .map((p) => p.name)
            .sort()
            .join(", ") || "none";
    lines.push(
        wrote
            ? `wrote ${options.configFile} from ${options.path} (profiles: ${names})`
            : `${options.configFile} is up to date (profiles: ${names})`,
    );
    return {
        exitCode: refused > 0 ? exitCodes.failed : exitCodes.ok,
        lines,
        profiles,
        refused: refusedNames,
        written: true,
    };
}
