// The profile on the host against the plan: the AWS config file must hold the `[profile NAME]`
// this deploy wrote to SSM (its role_arn and external_id). Proving a host's plan (--targets), the
// whole file must be what the sync renders from the plan and nothing else: no section but the
// plan's `[profile NAME]`s ([default] and any other is named), no key but role_arn,
// credential_source = Ec2InstanceMetadata, region (the proof's) and external_id, no line the
// renderer does not write (an indented `[default]` is a section to the JS SDK). A stale file (the
// sync agent has not run, or failed) is named as such, rather than surfacing later as a puzzling
// AccessDenied. An ExternalId value is never quoted.
import type { VerifyTarget } from "../../../contract/plan";
import { AwsConfigFileError, readAwsConfigFile } from "../../../contract/awsConfigFile";
import { agentCredentialProcess } from "../../../contract/credentialAgent";
import { profileSyncUnit } from "../../../contract/profileSync";
import { awsConfigPath } from "../../../contract/region";
import type { Outcome } from "./steps";

/** `[profile NAME]` sections of an AWS config file, as key → value maps (comments skipped). */
export function parseProfiles(text: string): Map<string, Map<string, string>> {
    const profiles = new Map<string, Map<string, string>>();
    let current: Map<string, string> | undefined;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
        const header = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line);
        if (header) {
            current = new Map();
            profiles.set(header[1], current);
            continue;
        }
        const setting = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
        if (setting && current) current.set(setting[1], setting[2]);
    }
    return profiles;
}

/** The host's AWS config file as read once, when the proof starts. */
export interface HostConfig {
    file: string;
    /** The text; absent when it could not be read. */
    text?: string;
    /** Why it could not be read (an errno code, or what the bounded reader refused). */
    unreadable?: string;
}

/** Reads the file once: the timer's sync may rewrite it while the proof runs. */
export function readHostConfig(file = awsConfigPath(process.env)): HostConfig {
    try {
        const text = readAwsConfigFile(file);
        return text === undefined ? { file, unreadable: "ENOENT" } : { file, text };
    } catch (error) {
        if (!(error instanceof AwsConfigFileError)) throw error;
        return { file, unreadable: error.reason };
    }
}

/** What the proof of a host's plan holds the whole file to. */
export interface WholeConfig {
    /** Every profile of the plan: the only sections the file may hold. */
    profiles: readonly string[];
    /** The region the sync writes into each profile (the stack's, the proof's). */
    region: string;
}

/**
 * The keys the sync renders (contract/profileParameters.ts renderProfileBlock); credential_process
 * only with the credential agent, and then only the agent's own command for that profile.
 */
const renderedKeys = [
    "role_arn",
    "credential_source",
    "region",
    "external_id",
    "credential_process",
];

interface StrictConfig {
    sections: Map<string, Map<string, string>>;
    /** Everything in the file the plan did not put there, one phrase each. */
    extras: string[];
}

/** Parses the file as the sync writes it; anything else is named (never a value: it may be an ExternalId). */
function parseStrict(text: string, whole: WholeConfig): StrictConfig {
    const sections = new Map<string, Map<string, string>>();
    const extras: string[] = [];
    let current: { name: string; keys: Map<string, string> } | undefined;
    // Inside a section already named as foreign (or after an indented line, which the JS SDK may
    // read as a header), its usual keys are that section's and not named again.
    let inForeign = false;
    text.split("\n").forEach((line, i) => {
        const at = `line ${i + 1}`;
        if (line === "") return;
        if (/^\s/.test(line)) {
            extras.push(`an indented ${at} (the SDK may read it as a section or a value)`);
            inForeign = true;
            return;
        }
        if (line.startsWith("[")) {
            inForeign = true;
            const header = /^\[profile ([A-Za-z0-9_.-]+)\]$/.exec(line);
            const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
            if (!header) {
                extras.push(`the section ${JSON.stringify(shown)} on ${at}`);
                current = undefined;
                return;
            }
            const name = header[1];
            if (!whole.profiles.includes(name)) {
                extras.push(`[profile ${name}] on ${at}, a profile the plan does not hold`);
                current = undefined;
                return;
            }
            if (sections.has(name)) {
                extras.push(`a second [profile ${name}] on ${at}`);
                current = undefined;
                return;
            }
            inForeign = false;
            current = { name, keys: new Map() };
            sections.set(name, current.keys);
            return;
        }
        const setting = /^([a-z_]+) = (.*)$/.exec(line);
        if (!setting) {
            extras.push(`${at}, neither a section nor a "key = value" setting`);
            return;
        }
        const [, key, value] = setting;
        if (inForeign) {
            // A key the sync never writes is named even there: credential_process runs a command.
            if (!renderedKeys.includes(key) || key === "credential_process") {
                extras.push(`the key ${key} on ${at}, in a section the plan did not put there`);
            }
            return;
        }
        if (current === undefined) {
            extras.push(`the key ${key} on ${at}, outside the plan's sections`);
        } else if (!renderedKeys.includes(key)) {
            extras.push(`the key ${key} in [profile ${current.name}] on ${at}`);
        } else if (current.keys.has(key)) {
            extras.push(`a second ${key} in [profile ${current.name}] on ${at}`);
        } else {
            current.keys.set(key, value);
        }
    });
    extras.push(...sectionProblems(sections, whole));
    return { sections, extras };
}

/**
 * What is wrong inside the plan's own sections: a profile gets its role either through the host
 * role (credential_source Ec2InstanceMetadata) or through the agent's credential_process for it,
 * never both, and always in the proof's region.
 */
function sectionProblems(sections: Map<string, Map<string, string>>, whole: WholeConfig): string[] {
    const problems: string[] = [];
    for (const [name, keys] of sections) {
        const command = keys.get("credential_process");
        if (command !== undefined) {
            // The agent's block: its program for this profile, and only the region beside it.
            if (command !== agentCredentialProcess(name)) {
                problems.push(
                    `[profile ${name}] has a credential_process that is not the credential agent's for it`,
                );
            }
            for (const key of ["role_arn", "credential_source", "external_id"]) {
                if (keys.has(key)) {
                    problems.push(
                        `[profile ${name}] has both the agent's credential_process and ${key}`,
                    );
                }
            }
        } else if (keys.get("credential_source") !== "Ec2InstanceMetadata") {
            const source = keys.get("credential_source");
            problems.push(
                `[profile ${name}] has credential_source ${source ?? "missing"}, the sync writes Ec2InstanceMetadata`,
            );
        }
        const region = keys.get("region");
        if (region !== whole.region) {
            problems.push(
                `[profile ${name}] has region ${region ?? "missing"}, the proof's is ${whole.region}`,
            );
        }
    }
    return problems;
}

const stale = (service: string, profile: string, file: string, what: string) =>
    `service ${service}: the profile ${profile} on the host is not the one just deployed: ${what} in ${file}. ` +
    `The host's sync agent writes it from SSM Parameter Store: it has not run since, or failed ` +
    `(on the host: sudo systemctl start ${profileSyncUnit}.service; journalctl -u ${profileSyncUnit}.service).`;

const foreign = (service: string, file: string, extras: string[]) =>
    `service ${service}: ${file} holds what this deploy did not put there: ${extras.join("; ")}. ` +
    `Only the host's sync writes it, from the plan's profiles in SSM Parameter Store: someone edited ` +
    `the file, or wrote a parameter under the host's path, or the sync is an older one ` +
    `(on the host: sudo systemctl start ${profileSyncUnit}.service rewrites it).`;

/**
 * Compares the host's `[profile NAME]` with the target's role ARN and ExternalId; with `whole`,
 * also the rest of the file against the plan. `config` is a file to read now, or one read once.
 */
export function checkProfileConfig(
    target: VerifyTarget,
    config: string | HostConfig = awsConfigPath(process.env),
    whole?: WholeConfig,
): Outcome {
    const profile = target.profile as string;
    const { file, text, unreadable } = typeof config === "string" ? readHostConfig(config) : config;
    if (text === undefined) {
        const why = unreadable ?? "unreadable";
        return {
            ok: false,
            observed: `${file}: ${why}`,
            diagnosis: stale(target.name, profile, file, `the file cannot be read (${why})`),
        };
    }
    const strict = whole !== undefined ? parseStrict(text, whole) : undefined;
    const settings = (strict?.sections ?? parseProfiles(text)).get(profile);
    const extras = strict?.extras ?? [];
    if (settings === undefined) {
        const what = `there is no [profile ${profile}]`;
        return {
            ok: false,
            observed: [`no [profile ${profile}] in ${file}`, ...extras].join("; "),
            diagnosis: [
                stale(target.name, profile, file, what),
                ...(extras.length > 0 ? [foreign(target.name, file, extras)] : []),
            ].join(" "),
        };
    }
    const problems = target.agent
        ? agentProfileProblems(profile, settings)
        : roleProfileProblems(target, settings);
    if (problems.length > 0 || extras.length > 0) {
        return {
            ok: false,
            observed: [
                ...(problems.length > 0
                    ? [`[profile ${profile}] in ${file}: ${problems.join("; ")}`]
                    : []),
                ...(extras.length > 0 ? [`${file} also holds ${extras.join("; ")}`] : []),
            ].join("; "),
            diagnosis: [
                ...(problems.length > 0
                    ? [stale(target.name, profile, file, problems.join("; "))]
                    : []),
                ...(extras.length > 0 ? [foreign(target.name, file, extras)] : []),
            ].join(" "),
        };
    }
    const how = target.agent
        ? "gets its credentials from the credential agent with the service's token"
        : `assumes ${target.roleArn}${target.externalId !== undefined ? " with the ExternalId" : ""}`;
    return {
        ok: true,
        observed: `[profile ${profile}] in ${file} ${how}${whole !== undefined ? `; the file holds only the plan's ${whole.profiles.length} profile(s)` : ""}`,
    };
}

/** What differs from the deployed profile of a role: role_arn and external_id. */
function roleProfileProblems(target: VerifyTarget, settings: Map<string, string>): string[] {
    const roleArn = settings.get("role_arn");
    const externalId = settings.get("external_id");
    const problems: string[] = [];
    if (roleArn !== target.roleArn) {
        problems.push(`role_arn is ${roleArn ?? "missing"}, the deploy set ${target.roleArn}`);
    }
    if (externalId !== target.externalId) {
        // Never quote an ExternalId: say only whether and how it differs.
        problems.push(
            externalId === undefined
                ? "it has no external_id, the deploy set one"
                : target.externalId === undefined
                  ? "it has an external_id, the deploy set none"
                  : "its external_id differs from the one the deploy set",
        );
    }
    return problems;
}

/**
 * What differs from the deployed profile of an agent-served service: its credential_process is
 * the agent's, with the service's token file (contract/credentialAgent.ts), and nothing assumes
 * a role on its own (no role_arn, which would go to the instance's credentials).
 */
function agentProfileProblems(profile: string, settings: Map<string, string>): string[] {
    const expected = agentCredentialProcess(profile);
    const got = settings.get("credential_process");
    const problems: string[] = [];
    if (got !== expected) {
        problems.push(
            `credential_process is ${got ?? "missing"}, the deploy set the credential agent's (${expected})`,
        );
    }
    if (settings.has("role_arn")) {
        problems.push(
            "it has a role_arn, the deploy set the credential agent's credential_process",
        );
    }
    return problems;
}
