// How the services' AWS profiles reach the host without touching the instance: one SSM parameter
// per profile under a path of the host's own (its value: contract/profileParameters.ts), and the
// sync program (verify/host/profileSync, run by a systemd service on a timer, on boot and every
// minute) that reads the path with the host's credentials and rewrites ~ec2-user/.aws/config
// atomically when it changed. Pure text builders: the components put the installer in the user
// data, the deploying side (SSH step, SSM runner, prove) runs the same installer and one sync
// before the proof; nothing here touches AWS.
import { createHash } from "crypto";
import { gzipSync } from "zlib";

import { profileSyncProgram } from "./profileSyncProgram";

/** The systemd units' name: rolepair-profiles.service (one sync) and rolepair-profiles.timer. */
export const profileSyncUnit = "rolepair-profiles";

/**
 * How the deploying side runs profileSyncNow over SSH: as root, the script on stdin. ec2-user has
 * passwordless sudo on Amazon Linux 2023; -n fails at once instead of waiting for a password.
 */
export const profileSyncRemoteCommand =
    'if [ "$(id -u)" -eq 0 ]; then bash -s; else sudo -n bash -s; fi';

/** Where the sync program (dist/profile-sync.js) is installed, root-owned, mode 644. */
export const profileSyncProgramPath = "/usr/local/lib/rolepair/profile-sync.js";

/** Where today's hosts had the bash sync script this program replaces; the installer removes it. */
const retiredScriptPath = "/usr/local/libexec/rolepair-sync-profiles";

/** The file the sync writes on a host: ec2-user's AWS config. */
export const hostConfigFile = "/home/ec2-user/.aws/config";

/** The service's bound: above the program's own (100 s), so the program reports why it stopped. */
export const profileSyncTimeoutSeconds = 120;

/** One hierarchy level of an SSM parameter name, as AWS accepts it. */
const segmentPattern = /^[A-Za-z0-9_.-]{1,200}$/;

/** Why a part of the path was refused: the caller names the input. */
export class ProfilesPathError extends Error {
    constructor(
        public readonly part: string,
        public readonly value: string,
        public readonly accepted: string,
    ) {
        super(`${part} ${JSON.stringify(value)}: ${accepted}`);
        this.name = "ProfilesPathError";
    }
}

/**
 * `/rolepair/<project>/<stack>/<component name>/profiles`: unique to one host (a project's stack
 * holds each component name once), and the only resource the host role may read.
 */
export function profilesParameterPath(project: string, stack: string, component: string): string {
    const parts: [string, string][] = [
        ["project", project],
        ["stack", stack],
        ["component name", component],
    ];
    for (const [part, value] of parts) {
        if (/^\.+$/.test(value)) {
            // "." and ".." read as path steps, not names, to whoever resolves the path.
            throw new ProfilesPathError(
                part,
                value,
                "a name with a letter, digit, '_' or '-' in it, not only dots (it names the host's SSM parameter path, where \".\" and \"..\" read as steps to another path)",
            );
        }
        if (!segmentPattern.test(value)) {
            throw new ProfilesPathError(
                part,
                value,
                "1 to 200 characters of letters, digits, '_', '.' and '-' (it names the host's SSM parameter path)",
            );
        }
    }
    // At most 621 characters (three segments of 200): SSM caps a parameter name, with its ARN, at
    // 1011, and the longest ARN prefix (arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter)
    // leaves more than 900 for the path and a profile's name under it.
    return `/rolepair/${project}/${stack}/${component}/profiles`;
}

/** The parameter that carries one profile's fields (contract/profileParameters.ts). */
export function profileParameterName(path: string, profileName: string): string {
    return `${path}/${profileName}`;
}

function checkPath(path: string): string {
    // Only ever built by profilesParameterPath; checked again because it lands in a root script.
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path)) {
        throw new Error(`profile sync: refused parameter path ${JSON.stringify(path)}`);
    }
    return path;
}

/** The program's arguments, as the unit and the tests' stand-in host pass them. */
export function profileSyncArgs(parameterPath: string, configFile = hostConfigFile): string[] {
    return ["--path", checkPath(parameterPath), "--config", configFile];
}

const serviceUnit = (parameterPath: string) =>
    [
        "[Unit]",
        "Description=rolepair: write the AWS profiles from SSM Parameter Store",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=/usr/local/bin/node ${profileSyncProgramPath} ${profileSyncArgs(parameterPath).join(" ")}`,
        `TimeoutStartSec=${profileSyncTimeoutSeconds}`,
        "",
    ].join("\n");

const timerUnit = [
    "[Unit]",
    "Description=rolepair: sync the AWS profiles on boot and every minute",
    "",
    "[Timer]",
    "OnBootSec=10s",
    "OnUnitActiveSec=60s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
].join("\n");

/**
 * Installs (or leaves as is) the sync program and its two units, then enables the timer. Safe to
 * run again and again: a file is replaced only when its content differs, and systemd reloads only
 * then. The user data runs it on a new host; the deploying side runs it before each sync, which is
 * how a host made earlier (with the bash sync script, which it removes) gets this program. The
 * program travels gzipped and base64-encoded (about 6 KB, so the user data stays far under its
 * 16 KB) and is refused unless its sha256 matches.
 */
export function profileSyncInstaller(
    parameterPath: string,
    program = profileSyncProgram(),
): string {
    const put = (target: string, mode: string, content: string, marker: string) => [
        `put ${target} ${mode} <<'${marker}'`,
        content.trimEnd(),
        marker,
    ];
    const packed = gzipSync(Buffer.from(program), { level: 9 }).toString("base64");
    const sha256 = createHash("sha256").update(program).digest("hex");
    return [
        "set -eu",
        "set -o pipefail",
        "changed=0",
        // ROLEPAIR_HOST_ROOT: the tests' stand-in for / (a temporary directory); unset on a host.
        'root="${ROLEPAIR_HOST_ROOT:-}"',
        'put() { tmp=$(mktemp); cat >"$tmp"; if cmp -s "$tmp" "$root$1"; then rm -f "$tmp"; else install -D -m "$2" -o root -g root "$tmp" "$root$1" && rm -f "$tmp" && changed=1; fi; }',
        "program=$(mktemp)",
        `base64 -d <<'ROLEPAIR_PROGRAM' | gzip -dc >"$program"`,
        ...(packed.match(/.{1,76}/g) as string[]),
        "ROLEPAIR_PROGRAM",
        `if [ "$(sha256sum "$program" | cut -d ' ' -f 1)" != ${sha256} ]; then echo "rolepair: the profile sync program arrived damaged; not installed" >&2; rm -f "$program"; exit 1; fi`,
        `put ${profileSyncProgramPath} 644 <"$program"`,
        'rm -f "$program"',
        ...put(
            `/etc/systemd/system/${profileSyncUnit}.service`,
            "644",
            serviceUnit(parameterPath),
            "ROLEPAIR_SERVICE",
        ),
        ...put(`/etc/systemd/system/${profileSyncUnit}.timer`, "644", timerUnit, "ROLEPAIR_TIMER"),
        `rm -f "$root${retiredScriptPath}"`,
        // Without systemd (only the tests' stand-in host) there is no unit to enable.
        'if [ -d /run/systemd/system ] && [ -z "$root" ]; then',
        '  if [ "$changed" = 1 ]; then systemctl daemon-reload; fi',
        `  systemctl enable --now ${profileSyncUnit}.timer`,
        "fi",
        "",
    ].join("\n");
}

/** What the deploying side's sync step does besides the profiles. */
export interface ProfileSyncOptions {
    /** Also install (or keep) the credential agent, its units and the IMDS lock. */
    readonly credentialAgent?: boolean;
}

/**
 * Run as root by the deploying side just before the proof: install the agent if missing, then one
 * sync, retried while it fails (a new read permission takes seconds to reach IAM). Exits non-zero
 * with the unit's last log lines when it never succeeds.
 */
export function profileSyncNow(
    parameterPath: string,
    options: ProfileSyncOptions = {},
    attempts = 12,
    pauseSeconds = 5,
    program = profileSyncProgram(),
): string {
    // Accepted, not yet acted on: the agent's installer is added to this script separately.
    void options;
    const standIn = [
        `"$root${profileSyncProgramPath}"`,
        ...profileSyncArgs(parameterPath, '"${ROLEPAIR_HOST_HOME:-/home/ec2-user}/.aws/config"'),
    ].join(" ");
    return [
        profileSyncInstaller(parameterPath, program).trimEnd(),
        'if [ -d /run/systemd/system ] && [ -z "$root" ]; then',
        `  sync_now() { systemctl start ${profileSyncUnit}.service; }`,
        "else",
        `  sync_now() { node ${standIn}; }`,
        "fi",
        `for attempt in $(seq 1 ${attempts}); do`,
        "  if sync_now; then break; fi",
        `  if [ "$attempt" = ${attempts} ]; then`,
        `    echo "rolepair: the profile sync failed ${attempts} times; its last log lines:" >&2`,
        `    journalctl -u ${profileSyncUnit}.service -n 20 --no-pager >&2 || true`,
        "    exit 1",
        "  fi",
        `  sleep ${pauseSeconds}`,
        "done",
        "",
    ].join("\n");
}
