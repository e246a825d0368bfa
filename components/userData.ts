// The host's AWS profiles and its user data. Each service's `[profile NAME]` block travels in an
// SSM parameter of its own (contract/profileSync.ts); the user data only installs Node.js
// and the sync agent, so it is small, constant, and the same whatever the services are.
import { profileSyncInstaller } from "../contract/profileSync";

/** One `[profile NAME]` block: which role it assumes, from the instance's own credentials. */
export interface HostUserDataArgs {
    profileName: string;
    targetRoleArn: string;
    region: string;
    externalId?: string;
}

/**
 * The `[profile NAME]` block: the SDKs and the CLI assume the role from instance credentials.
 * Every value is validated upstream; this guard makes sure none could ever add a line of its own
 * (another profile, or a setting such as credential_process), whatever a future caller passes.
 */
export function targetProfileConfig(args: HostUserDataArgs): string {
    for (const [key, value] of Object.entries(args)) {
        if (typeof value === "string" && /[\r\n]/.test(value)) {
            throw new Error(
                `targetProfileConfig: ${key} of profile ${JSON.stringify(args.profileName)} contains a line break, which would add a line to the AWS config file; refused`,
            );
        }
    }
    return [
        `[profile ${args.profileName}]`,
        `role_arn = ${args.targetRoleArn}`,
        "credential_source = Ec2InstanceMetadata",
        `region = ${args.region}`,
        ...(args.externalId !== undefined ? [`external_id = ${args.externalId}`] : []),
        "",
    ].join("\n");
}

/**
 * The whole AWS config file as the host's sync agent composes it: the blocks sorted by profile
 * name (the parameters' order), a blank line between two.
 */
export function awsConfigFile(profiles: readonly HostUserDataArgs[]): string {
    return [...profiles]
        .sort((a, b) =>
            a.profileName < b.profileName ? -1 : a.profileName > b.profileName ? 1 : 0,
        )
        .map(targetProfileConfig)
        .join("\n");
}

/**
 * The user data: Node.js for the proof, and the profile sync agent for this host's parameter
 * path. It names no service, so adding, changing or removing one leaves it as it is.
 */
export function hostUserData(parameterPath: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        // The AWS SDK for JavaScript v3 needs Node 20+; AL2023 ships it namespaced as node-22.
        "dnf install -y nodejs22",
        "ln -sf /usr/bin/node-22 /usr/local/bin/node",
        profileSyncInstaller(parameterPath).trimEnd(),
        // The first sync; if the parameters or the read permission are not there yet, the timer
        // tries again every minute.
        "systemctl start --no-block rolepair-profiles.service",
        "",
    ].join("\n");
}
