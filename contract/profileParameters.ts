// What one SSM profile parameter carries, and the one config block the host makes of it. The
// value is a JSON object of the profile's fields, never config text: the components write it with
// profileParameterValue, the host's sync reads it with parseProfileParameter (the same rules, from
// contract/rules.ts), and the host renders each `[profile NAME]` block itself from an allow-list
// of keys, so no parameter can add a section or a setting such as credential_process.
import {
    agentAccessProblem,
    agentCredentialProcess,
    agentServiceNameRule,
    type AgentAccess,
} from "./credentialAgent";
import {
    externalIdRule,
    profileNameProblem,
    regionRule,
    roleArnRule,
    ruleProblem,
    type Rule,
} from "./rules";

/**
 * One profile on the host, validated: the AWS config block and the credential agent's services
 * file are both rendered from it.
 */
export interface HostProfile {
    /** The profile's name (the parameter's last path segment): 1 to 64 of [A-Za-z0-9_.-]. */
    readonly name: string;
    /** The service role the profile assumes from the instance's credentials. */
    readonly roleArn: string;
    readonly region: string;
    readonly externalId?: string;
    /**
     * Present when the credential agent serves this service: who may use its token. The profile
     * then gets its credentials from the agent (credential_process), not from the instance's.
     */
    readonly agent?: AgentAccess;
}

/** The value's format version: a host refuses a value of a version it does not know. */
export const profileParameterVersion = 1;

/** SSM's Standard tier holds at most 4 KB a value; the host refuses anything longer unread. */
export const maxProfileParameterChars = 4096;

const valueKeys = ["v", "roleArn", "region", "externalId", "agent"] as const;
const fieldRules: Record<"roleArn" | "region" | "externalId", Rule> = {
    roleArn: roleArnRule,
    region: regionRule,
    externalId: externalIdRule,
};

/** Why a parameter was refused; `parameter` names it, `reason` says what is wrong with it. */
export class ProfileParameterError extends Error {
    constructor(
        public readonly parameter: string,
        public readonly reason: string,
    ) {
        super(`parameter ${parameter}: ${reason}`);
        this.name = "ProfileParameterError";
    }
}

/** A value as an error may quote it: short, on one line (it came from whoever wrote SSM). */
function shown(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks one profile's fields with the shared rules; throws ProfileParameterError on `parameter`
 * naming the first field that breaks its rule.
 */
export function checkHostProfile(parameter: string, profile: HostProfile): HostProfile {
    const nameProblem = profileNameProblem(
        profile.name,
        profile.agent !== undefined ? agentServiceNameRule : undefined,
    );
    if (nameProblem !== undefined) {
        throw new ProfileParameterError(
            parameter,
            `profile name ${shown(profile.name)}: expected ${nameProblem}`,
        );
    }
    for (const key of ["roleArn", "region", "externalId"] as const) {
        const value = profile[key];
        if (key === "externalId" && value === undefined) continue;
        const problem = ruleProblem(fieldRules[key], value);
        if (problem !== undefined) {
            // Never quote an ExternalId: say only that it breaks the rule.
            const what = key === "externalId" ? "" : ` ${shown(value)}`;
            throw new ProfileParameterError(parameter, `${key}${what}: expected ${problem}`);
        }
    }
    if (profile.agent !== undefined) {
        const problem = agentAccessProblem(profile.agent);
        if (problem !== undefined) throw new ProfileParameterError(parameter, `agent: ${problem}`);
    }
    return profile;
}

/** The parameter's value for a profile, as the components write it: checked, then JSON. */
export function profileParameterValue(profile: HostProfile): string {
    const checked = checkHostProfile(`for profile ${shown(profile.name)}`, profile);
    return JSON.stringify({
        v: profileParameterVersion,
        roleArn: checked.roleArn,
        region: checked.region,
        ...(checked.externalId !== undefined ? { externalId: checked.externalId } : {}),
        ...(checked.agent !== undefined ? { agent: { users: [...checked.agent.users] } } : {}),
    });
}

/**
 * Parses and checks one parameter read from `path`: its name must be `path/<profile name>`, its
 * value at most maxProfileParameterChars of one JSON object with exactly the known keys, each
 * value under its rule. Throws ProfileParameterError naming the parameter and why.
 */
export function parseProfileParameter(path: string, name: string, value: unknown): HostProfile {
    const prefix = `${path}/`;
    if (!name.startsWith(prefix)) {
        throw new ProfileParameterError(name, `not under ${path}`);
    }
    const profileName = name.slice(prefix.length);
    if (typeof value !== "string") throw new ProfileParameterError(name, "it has no value");
    if (value.length > maxProfileParameterChars) {
        throw new ProfileParameterError(
            name,
            `its value has ${value.length} characters; expected at most ${maxProfileParameterChars}`,
        );
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        throw new ProfileParameterError(
            name,
            `its value is not JSON (it starts ${shown(value.slice(0, 20))}); expected {"v":${profileParameterVersion},"roleArn":...,"region":...,"externalId"?:...}`,
        );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new ProfileParameterError(
            name,
            `its value is ${shown(parsed)}; expected a JSON object`,
        );
    }
    const record = parsed as Record<string, unknown>;
    const unknownKey = Object.keys(record).find(
        (key) => !(valueKeys as readonly string[]).includes(key),
    );
    if (unknownKey !== undefined) {
        throw new ProfileParameterError(
            name,
            `unknown key ${shown(unknownKey)}; accepted: ${valueKeys.join(", ")}`,
        );
    }
    if (record.v !== profileParameterVersion) {
        throw new ProfileParameterError(
            name,
            `v is ${shown(record.v)}; expected ${profileParameterVersion} (a newer format needs a newer profile sync)`,
        );
    }
    const profile: HostProfile = {
        name: profileName,
        roleArn: record.roleArn as string,
        region: record.region as string,
        ...(record.externalId !== undefined ? { externalId: record.externalId as string } : {}),
        ...(record.agent !== undefined ? { agent: record.agent as AgentAccess } : {}),
    };
    return checkHostProfile(name, profile);
}

/**
 * The `[profile NAME]` block of one checked profile: only role_arn, credential_source, region and
 * external_id; with the agent, only credential_process (the agent's own program, the service's
 * token file) and region. Each value is checked again here, so no caller can put a line break
 * into the file.
 */
export function renderProfileBlock(profile: HostProfile): string {
    const checked = checkHostProfile(`for profile ${shown(profile.name)}`, profile);
    if (checked.agent !== undefined) {
        return [
            `[profile ${checked.name}]`,
            `credential_process = ${agentCredentialProcess(checked.name)}`,
            `region = ${checked.region}`,
            "",
        ].join("\n");
    }
    return [
        `[profile ${checked.name}]`,
        `role_arn = ${checked.roleArn}`,
        "credential_source = Ec2InstanceMetadata",
        `region = ${checked.region}`,
        ...(checked.externalId !== undefined ? [`external_id = ${checked.externalId}`] : []),
        "",
    ].join("\n");
}

/** The whole AWS config file: the blocks sorted by profile name, a blank line between two. */
export function renderProfilesConfig(profiles: readonly HostProfile[]): string {
    return [...profiles]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(renderProfileBlock)
        .join("\n");
}
