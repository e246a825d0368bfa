// Cloud-init user data for the host: Node.js for the verify program, and one AWS config profile
// per service role so applications switch roles with AWS_PROFILE and no code change.

/** One `[profile NAME]` block: which role it assumes, from the instance's own credentials. */
export interface HostUserDataArgs {
    profileName: string;
    targetRoleArn: string;
    region: string;
    externalId?: string;
}

/** The `[profile NAME]` block: the SDKs and the CLI assume the role from instance credentials. */
export function targetProfileConfig(args: HostUserDataArgs): string {
    return [
        `[profile ${args.profileName}]`,
        `role_arn = ${args.targetRoleArn}`,
        "credential_source = Ec2InstanceMetadata",
        `region = ${args.region}`,
        ...(args.externalId !== undefined ? [`external_id = ${args.externalId}`] : []),
        "",
    ].join("\n");
}

/** The whole AWS config file: the profiles' blocks, a blank line between two. */
export function awsConfigFile(profiles: readonly HostUserDataArgs[]): string {
    return profiles.map(targetProfileConfig).join("\n");
}

/**
 * With one profile the script is byte for byte what the pair has always had (no replacement).
 * Every value is validated upstream; this guard makes sure none could ever end the heredoc (a line
 * break would let the rest run as root), whatever a future caller passes.
 */
export function hostUserData(profiles: readonly HostUserDataArgs[]): string {
    for (const profile of profiles) {
        for (const [key, value] of Object.entries(profile)) {
            if (typeof value === "string" && /[\r\n]/.test(value)) {
                throw new Error(
                    `hostUserData: ${key} of profile ${JSON.stringify(profile.profileName)} contains a line break, which could end the AWS config heredoc; refused`,
                );
            }
        }
    }
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        // The AWS SDK for JavaScript v3 needs Node 20+; AL2023 ships it namespaced as node-22.
        "dnf install -y nodejs22",
        "ln -sf /usr/bin/node-22 /usr/local/bin/node",
        "install -d -m 700 -o ec2-user -g ec2-user /home/ec2-user/.aws",
        "cat > /home/ec2-user/.aws/config <<'PROFILE'",
        awsConfigFile(profiles).trimEnd(),
        "PROFILE",
        "chown ec2-user:ec2-user /home/ec2-user/.aws/config",
        "chmod 600 /home/ec2-user/.aws/config",
        "",
    ].join("\n");
}
