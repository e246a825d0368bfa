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
}

export interface SyncResult {
    exitCode: typeof exitCodes.ok | typeof exitCodes.failed | typeof exitCodes.couldNotRun;
    /** What happened, one line each (the caller prefixes the program's name). */
    lines: string[];
    /** The profiles written (the credential agent renders its services file from the same list). */
    profiles: HostProfile[];
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
        };
    }
    if (parameters.length === 0) {
        return {
            exitCode: exitCodes.failed,
            lines: [`no parameter under ${options.path}; ${options.configFile} is kept`],
            profiles: [],
        };
    }
    const lines: string[] = [];
    const profiles: HostProfile[] = [];
    for (const parameter of parameters) {
        try {
            profiles.push(parseProfileParameter(options.path, parameter.name, parameter.value));
        } catch (error) {
            if (!(error instanceof ProfileParameterError)) throw error;
            lines.push(`refused ${error.message}`);
        }
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
    return { exitCode: lines.length > 1 ? exitCodes.failed : exitCodes.ok, lines, profiles };
}
