// How the services' AWS profiles reach the host without touching the instance: one SSM parameter
// per profile under a path of the host's own, and a root-owned sync script (a systemd service run
// by a timer, on boot and every minute) that reads the path with the host's credentials and
// rewrites ~ec2-user/.aws/config atomically when it changed. Pure text builders: the components
// put the installer in the user data, the deploying side (SSH step, SSM runner, prove) runs the
// same installer and one sync before the proof; nothing here touches AWS.

/** The systemd units' name: rolepair-profiles.service (one sync) and rolepair-profiles.timer. */
export const profileSyncUnit = "rolepair-profiles";

/**
 * How the deploying side runs profileSyncNow over SSH: as root, the script on stdin. ec2-user has
 * passwordless sudo on Amazon Linux 2023; -n fails at once instead of waiting for a password.
 */
export const profileSyncRemoteCommand =
    'if [ "$(id -u)" -eq 0 ]; then bash -s; else sudo -n bash -s; fi';

/** Where the sync script is installed, root-owned, mode 755. */
export const profileSyncScriptPath = "/usr/local/libexec/rolepair-sync-profiles";

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

/** The parameter that carries one profile's `[profile NAME]` block. */
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

/**
 * The sync script (bash, run as root). The region comes from IMDSv2, the profiles from
 * GetParametersByPath with the instance's credentials (the AWS CLI v2 Amazon Linux 2023 ships; it
 * pages through the results itself). python3's standard library composes the file: blocks sorted
 * by parameter name, each refused unless it is exactly one `[profile NAME]` section named after its
 * parameter with no carriage return. The file is written beside the old one (same directory, so
 * `mv` is an atomic rename), mode 600, owned by the home's owner, and moved into place only when
 * its content changed; nothing else in ~/.aws is touched. No profile found: the file is kept.
 *
 * ROLEPAIR_HOST_HOME and AWS_EC2_METADATA_SERVICE_ENDPOINT are for the tests only (a temporary
 * home, the IMDSv2 double); the systemd unit sets neither.
 */
export function profileSyncScript(parameterPath: string): string {
    const path = checkPath(parameterPath);
    return [
        "#!/bin/bash",
        "# rolepair: writes ~ec2-user/.aws/config from the SSM parameters under one path.",
        "set -euo pipefail",
        "umask 077",
        `path=${path}`,
        'home="${ROLEPAIR_HOST_HOME:-/home/ec2-user}"',
        'imds="${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"',
        'imds="${imds%/}"',
        'token=$(curl -sf -X PUT "$imds/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
        'region=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/placement/region")',
        "aws=$(command -v aws || echo /usr/local/bin/aws)",
        'answer=$("$aws" ssm get-parameters-by-path --region "$region" --path "$path" --output json)',
        'owner=$(stat -c %u "$home")',
        'group=$(stat -c %g "$home")',
        'install -d -m 700 -o "$owner" -g "$group" "$home/.aws"',
        'tmp=$(mktemp "$home/.aws/.config.rolepair-XXXXXX")',
        "trap 'rm -f \"$tmp\"' EXIT",
        `PARAMETER_PATH="$path" python3 -c '`,
        "import json, os, re, sys",
        'prefix = os.environ["PARAMETER_PATH"] + "/"',
        "blocks = []",
        'for p in json.load(sys.stdin).get("Parameters", []):',
        '    name, value = p["Name"], p["Value"]',
        '    profile = name[len(prefix):] if name.startswith(prefix) else ""',
        '    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", profile):',
        '        sys.exit("rolepair-sync-profiles: refused parameter %s: not a profile under %s" % (name, prefix))',
        '    lines = value.rstrip("\\n").split("\\n")',
        '    headers = [l for l in lines if l.startswith("[")]',
        '    if "\\r" in value or lines[0] != "[profile %s]" % profile or len(headers) != 1:',
        '        sys.exit("rolepair-sync-profiles: refused parameter %s: not one [profile %s] block" % (name, profile))',
        '    blocks.append((name, "\\n".join(lines) + "\\n"))',
        "if not blocks:",
        '    sys.exit("rolepair-sync-profiles: no profile under %s; the config file is kept" % prefix)',
        'sys.stdout.write("\\n".join(b for _, b in sorted(blocks)))',
        `' <<<"$answer" >"$tmp"`,
        'chmod 600 "$tmp"',
        'chown "$owner:$group" "$tmp"',
        'if cmp -s "$tmp" "$home/.aws/config"; then exit 0; fi',
        'mv -f "$tmp" "$home/.aws/config"',
        'echo "rolepair-sync-profiles: wrote $home/.aws/config from $path"',
        "",
    ].join("\n");
}

const serviceUnit = [
    "[Unit]",
    "Description=rolepair: write the AWS profiles from SSM Parameter Store",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${profileSyncScriptPath}`,
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
 * Installs (or leaves as is) the sync script and its two units, then enables the timer. Safe to
 * run again and again: a file is replaced only when its content differs, and systemd reloads only
 * then. The user data runs it on a new host; the deploying side runs it before each sync, which is
 * how hosts made before the profiles moved out of user data get the agent.
 */
export function profileSyncInstaller(parameterPath: string): string {
    const put = (target: string, mode: string, content: string, marker: string) => [
        `put ${target} ${mode} <<'${marker}'`,
        content.trimEnd(),
        marker,
    ];
    return [
        "set -eu",
        "changed=0",
        // ROLEPAIR_HOST_ROOT: the tests' stand-in for / (a temporary directory); unset on a host.
        'root="${ROLEPAIR_HOST_ROOT:-}"',
        'put() { tmp=$(mktemp); cat >"$tmp"; if cmp -s "$tmp" "$root$1"; then rm -f "$tmp"; else install -D -m "$2" -o root -g root "$tmp" "$root$1" && rm -f "$tmp" && changed=1; fi; }',
        ...put(profileSyncScriptPath, "755", profileSyncScript(parameterPath), "ROLEPAIR_SYNC"),
        ...put(
            `/etc/systemd/system/${profileSyncUnit}.service`,
            "644",
            serviceUnit,
            "ROLEPAIR_SERVICE",
        ),
        ...put(`/etc/systemd/system/${profileSyncUnit}.timer`, "644", timerUnit, "ROLEPAIR_TIMER"),
        // Without systemd (only the tests' stand-in host) there is no unit to enable.
        'if [ -d /run/systemd/system ] && [ -z "$root" ]; then',
        '  if [ "$changed" = 1 ]; then systemctl daemon-reload; fi',
        `  systemctl enable --now ${profileSyncUnit}.timer`,
        "fi",
        "",
    ].join("\n");
}

/**
 * Run as root by the deploying side just before the proof: install the agent if missing, then one
 * sync, retried while it fails (a new read permission takes seconds to reach IAM). Exits non-zero
 * with the unit's last log lines when it never succeeds.
 */
export function profileSyncNow(parameterPath: string, attempts = 12, pauseSeconds = 5): string {
    return [
        profileSyncInstaller(parameterPath).trimEnd(),
        'if [ -d /run/systemd/system ] && [ -z "$root" ]; then',
        `  sync_now() { systemctl start ${profileSyncUnit}.service; }`,
        "else",
        `  sync_now() { "$root${profileSyncScriptPath}"; }`,
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
