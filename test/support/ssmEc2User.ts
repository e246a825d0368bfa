// ec2-user and the IMDS lock, for the SSM double's host: the run script (hostScript.ts) asks
// `id ec2-user` and runs verify with `sudo -u ec2-user -H --`; there is no ec2-user here and no
// sudo policy, so two shims first on the host's PATH stand in. `id` says ec2-user exists (its
// groups those of a real test user); `sudo` runs the command as that user (setpriv, its groups
// initialised: the services' groups the sync made it a member of) with the environment a locked
// host gives it: its metadata endpoint a closed port (the lock drops IMDS for every UID but root
// and the agent's), no AWS config file, and the agent's URL and token directory for this stand-in
// host appended to verify's flags (read from a file, written once the agent listens).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../lab/cleanup";

export interface Ec2UserShims {
    /** Put first on the host's PATH. */
    dir: string;
    /** Sets the flags appended to verify's command line (the agent's URL and token directory). */
    setVerifyFlags(flags: string[]): void;
    remove(): void;
}

export function makeEc2UserShims(user: string, closedImdsEndpoint: string): Ec2UserShims {
    const dir = makeTempDir("rolepair-ec2user-");
    fs.chmodSync(dir, 0o755);
    const flagsFile = path.join(dir, "verify-flags");
    fs.writeFileSync(flagsFile, "");
    const realId = execFileSync("sh", ["-c", "command -v id"], { encoding: "utf8" }).trim();
    fs.writeFileSync(
        path.join(dir, "id"),
        [
            "#!/bin/sh",
            'case "$*" in',
            `  ec2-user) exec ${realId} ${user} >/dev/null;;`,
            `  "-g ec2-user") exec ${realId} -g ${user};;`,
            `  *) exec ${realId} "$@";;`,
            "esac",
            "",
        ].join("\n"),
        { mode: 0o755 },
    );
    fs.writeFileSync(
        path.join(dir, "sudo"),
        [
            "#!/bin/sh",
            '[ "$1 $2 $3 $4" = "-u ec2-user -H --" ] || { echo "sudo shim: unexpected $*" >&2; exit 99; }',
            "shift 4",
            `exec setpriv --reuid=${user} --regid=${user} --init-groups -- env AWS_EC2_METADATA_SERVICE_ENDPOINT=${closedImdsEndpoint} AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null HOME=/nonexistent "$@" $(cat ${flagsFile})`,
            "",
        ].join("\n"),
        { mode: 0o755 },
    );
    return {
        dir,
        setVerifyFlags: (flags) => fs.writeFileSync(flagsFile, flags.join(" ")),
        remove: () => removeTempDir(dir),
    };
}
