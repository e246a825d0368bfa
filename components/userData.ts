// Cloud-init user data for the host: Node.js for the verify program, and an AWS config profile
// for the target role so applications switch roles with AWS_PROFILE and no code change.

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

export function hostUserData(args: HostUserDataArgs): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        // The AWS SDK for JavaScript v3 needs Node 20+; AL2023 ships it namespaced as node-22.
        "dnf install -y nodejs22",
        "ln -sf /usr/bin/node-22 /usr/local/bin/node",
        "install -d -m 700 -o ec2-user -g ec2-user /home/ec2-user/.aws",
        "cat > /home/ec2-user/.aws/config <<'PROFILE'",
        targetProfileConfig(args).trimEnd(),
        "PROFILE",
        "chown ec2-user:ec2-user /home/ec2-user/.aws/config",
        "chmod 600 /home/ec2-user/.aws/config",
        "",
    ].join("\n");
}
