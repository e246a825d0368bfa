// The profile on the host against the plan: the AWS config file must hold the `[profile NAME]`
// this deploy wrote to SSM (its role_arn and external_id). A stale file (the sync agent has not
// run, or failed) is named as such, rather than surfacing later as a puzzling AccessDenied.
import * as fs from "fs";

import type { VerifyTarget } from "../../../contract/plan";
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

const stale = (service: string, profile: string, file: string, what: string) =>
    `service ${service}: the profile ${profile} on the host is not the one just deployed: ${what} in ${file}. ` +
    `The host's sync agent writes it from SSM Parameter Store: it has not run since, or failed ` +
    `(on the host: sudo systemctl start ${profileSyncUnit}.service; journalctl -u ${profileSyncUnit}.service).`;

/** Compares the host's `[profile NAME]` with the target's role ARN and ExternalId. */
export function checkProfileConfig(
    target: VerifyTarget,
    file = awsConfigPath(process.env),
): Outcome {
    const profile = target.profile as string;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        return {
            ok: false,
            observed: `${file}: ${code}`,
            diagnosis: stale(target.name, profile, file, `the file cannot be read (${code})`),
        };
    }
    const settings = parseProfiles(text).get(profile);
    if (settings === undefined) {
        return {
            ok: false,
            observed: `no [profile ${profile}] in ${file}`,
            diagnosis: stale(target.name, profile, file, `there is no [profile ${profile}]`),
        };
    }
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
    if (problems.length > 0) {
        return {
            ok: false,
            observed: `[profile ${profile}] in ${file}: ${problems.join("; ")}`,
            diagnosis: stale(target.name, profile, file, problems.join("; ")),
        };
    }
    return {
        ok: true,
        observed: `[profile ${profile}] in ${file} assumes ${roleArn}${externalId !== undefined ? " with the ExternalId" : ""}`,
    };
}
