// The host's user data. Each service's profile travels in an SSM parameter of its own
// (contract/profileParameters.ts); the user data only installs Node.js and the profile sync
// program, so it is small, constant, and the same whatever the services are.
import { profileSyncInstaller, profileSyncUnit } from "../contract/profileSync";

/**
 * The user data: Node.js for the proof and the sync, and the profile sync for this host's
 * parameter path. It names no service, so adding, changing or removing one leaves it as it is.
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
        `systemctl start --no-block ${profileSyncUnit}.service`,
        "",
    ].join("\n");
}
