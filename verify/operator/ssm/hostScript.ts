// The shell scripts the runner sends as AWS-RunShellScript `commands`: numbered parts of each
// gzipped, base64-encoded file too large for one command (the verify bundle; the credential
// agent's program when the sync installs it), then one script that joins them, checks their
// sha256, unpacks them, the on-host wrapper and the plan, and runs verify. Pure functions, so the
// tests can read exactly what the host runs. No S3: everything travels in the parameters.
//
// The scripts stage under /var/lib/rolepair/ssm (root's); ROLEPAIR_HOST_ROOT, when set in the
// agent's environment (only the test double sets it), stands in for / there.
import { createHash, randomBytes } from "crypto";
import { gzipSync } from "zlib";

import { chunkPayloadChars } from "../../../contract/ssmLimits";

/** Exit codes of the on-host script itself, beside verify's 0 to 3. */
export const hostExitCodes = {
    /** A delivered file's sha256 differs from the runner's: refused, nothing ran. */
    checksumMismatch: 90,
    /** The parts were not found: a delivery command did not run. */
    notDelivered: 91,
    /** No node binary on the host (cloud-init has not installed Node.js). */
    noNode: 92,
    /** The profiles could not be synced from SSM Parameter Store: the proof would test stale ones. */
    profileSyncFailed: 93,
    /** A stage path under /var/lib/rolepair/ssm is a link or not a directory: refused. */
    stageRefused: 94,
} as const;

export function sha256Hex(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

/** POSIX single quotes; every value here is base64, hex, a region or a number anyway. */
function quote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A shell word: as is when it needs no quoting (a region), else quoted. */
const word = (value: string) => (/^[\w.-]+$/.test(value) ? value : quote(value));

/** A file delivered in parts: the first is always verify's bundle. */
export interface DeliveredFile {
    /** Its name in the run's directory on the host ($run/NAME). */
    name: string;
    /** sha256 of its joined base64 text, checked before decoding. */
    payloadSha256: string;
    /** sha256 of the file itself, checked after unpacking. */
    sha256: string;
}

export interface Delivery {
    /** Per-run directory name under /var/lib/rolepair/ssm. */
    runId: string;
    /** One script per part, each a SendCommand of its own. */
    partScripts: string[];
    /** The name of the file each part belongs to. */
    partFiles: string[];
    /** What the parts carry, verify.js first. */
    files: DeliveredFile[];
    /** sha256 of the verify bundle. */
    bundleSha256: string;
}

/** The verify bundle's name on the host. */
export const verifyBundleName = "verify.js";

/** Where the scripts stage their files on the host: root's, under /var/lib. */
export const hostStageBase = "/var/lib/rolepair/ssm";

/**
 * Sets $stage, the run's directory under a base only root can write in: /var/lib/rolepair/ssm,
 * made by root (install -d: 755 for /var/lib/rolepair, 711 for the base) in root-owned /var/lib,
 * so no other user can ever have put a name there, and no check can be raced. A link or a
 * non-directory at one of these paths (root's own doing) is refused, saying what it is. Each part
 * makes the run's directory if no earlier part has (parts arrive concurrently), mode 700; the run
 * script then makes a fresh `run` directory inside it with a mkdir that fails if it exists.
 * Nothing is ever written under ec2-user's home. ROLEPAIR_HOST_ROOT is the tests' stand-in for /.
 */
const stageGuard = (runId: string) => [
    `root="\${ROLEPAIR_HOST_ROOT:-}"; base="$root${hostStageBase}"; stage="$base/${runId}"`,
    `refuse() { echo "rolepair-ssm: $1 is $2; refused (only root makes the stage under ${hostStageBase}: remove it and run again)" >&2; exit ${hostExitCodes.stageRefused}; }`,
    'for p in "${base%/*}" "$base" "$stage"; do [ ! -L "$p" ] || refuse "$p" "a symbolic link"; [ ! -e "$p" ] || [ -d "$p" ] || refuse "$p" "not a directory"; done',
    'install -d -m 755 -o root -g root "${base%/*}"; install -d -m 711 -o root -g root "$base"',
    'mkdir -m 700 "$stage" 2>/dev/null || [ -d "$stage" ] || refuse "$stage" "not a directory"',
];

/** A file besides verify's bundle to deliver in parts, by name (letters, digits, '.', '-'). */
export interface ExtraFile {
    name: string;
    content: string | Buffer;
}

/**
 * Splits the gzipped bundle, and each extra file, into part scripts of at most chunkPayloadChars
 * base64 characters; a part lands in the run's stage as NAME.part-NNN.
 */
export function planDelivery(
    bundle: Buffer,
    runId = randomBytes(8).toString("hex"),
    extra: readonly ExtraFile[] = [],
): Delivery {
    const partScripts: string[] = [];
    const partFiles: string[] = [];
    const files: DeliveredFile[] = [];
    for (const file of [{ name: verifyBundleName, content: bundle }, ...extra]) {
        if (!/^[a-z0-9][a-z0-9.-]*$/.test(file.name) || files.some((f) => f.name === file.name))
            throw new Error(`SSM delivery: refused file name ${JSON.stringify(file.name)}`);
        const content = Buffer.from(file.content);
        const payload = gzipSync(content, { level: 9 }).toString("base64");
        for (let i = 0, n = 0; i < payload.length; i += chunkPayloadChars, n++) {
            const part = String(n).padStart(3, "0");
            partFiles.push(file.name);
            partScripts.push(
                [
                    "set -eu",
                    "umask 077",
                    ...stageGuard(runId),
                    `printf '%s' ${quote(payload.slice(i, i + chunkPayloadChars))} > "$stage/${file.name}.part-${part}"`,
                ].join("\n"),
            );
        }
        files.push({
            name: file.name,
            payloadSha256: sha256Hex(payload),
            sha256: sha256Hex(content),
        });
    }
    return { runId, partScripts, partFiles, files, bundleSha256: files[0].sha256 };
}

/** A delivered file's path in the run script, as a shell word (after its checksums passed). */
export function deliveredFilePath(name: string): string {
    return `"$run/${name}"`;
}

/** Joins one file's parts into $run/NAME, refusing it unless both checksums match. */
function unpack(file: DeliveredFile): string[] {
    const at = `"$run/${file.name}`;
    return [
        `ls "$stage/${file.name}".part-* >/dev/null 2>&1 || fail ${hostExitCodes.notDelivered} "no parts of ${file.name} in $stage: the delivery commands did not run"`,
        `cat "$stage/${file.name}".part-* > ${at}.gz.b64"`,
        `check ${at}.gz.b64" ${file.payloadSha256}`,
        `base64 -d < ${at}.gz.b64" > ${at}.gz"`,
        `gzip -dc < ${at}.gz" > ${at}"`,
        `check ${at}" ${file.sha256}`,
        `rm -f ${at}.gz.b64" ${at}.gz"`,
    ];
}

export interface RunScriptArgs {
    delivery: Delivery;
    /** The on-host wrapper's source (verify/host/proof/ssmWrapper.ts, bundled). */
    wrapperSource: string;
    /** The plan, verify's --targets JSON. */
    planJson: string;
    region: string;
    propagationTimeoutSeconds?: number;
    /** profileSyncNow(path): run as root before verify, so it proves the profiles just deployed. */
    profileSync?: string;
}

/**
 * Joins the parts, refuses them unless both checksums match, waits for cloud-init (it installs
 * Node.js and the profile sync), syncs the profiles as root when asked (the sync writes
 * ~ec2-user/.aws/config), then runs verify through the wrapper as ec2-user.
 *
 * Why ec2-user: the agent runs commands as root, but the host's AWS config profiles (one per
 * service, credential_source = Ec2InstanceMetadata) are in ~ec2-user/.aws/config, and the SSH
 * path runs verify as ec2-user too; `sudo -u ec2-user -H` gives it that home, so the profile
 * steps prove what applications running as ec2-user get. Verify needs no root.
 */
export function runScript(args: RunScriptArgs): string {
    const { delivery } = args;
    const wrapper = Buffer.from(args.wrapperSource);
    const verifyArgs = [
        '"$run/verify.js"',
        "--targets",
        '"$run/plan.json"',
        "--region",
        word(args.region),
        ...(args.propagationTimeoutSeconds !== undefined
            ? ["--propagation-timeout", String(args.propagationTimeoutSeconds)]
            : []),
        "--json",
    ].join(" ");
    const codes = hostExitCodes;
    return [
        "set -eu",
        "umask 077",
        ...stageGuard(delivery.runId),
        `trap 'rm -rf "$stage"' EXIT`,
        `fail() { printf 'rolepair-ssm: %s\\n' "$2" >&2; exit "$1"; }`,
        `check() { got=$(sha256sum "$1" | cut -d ' ' -f 1); [ "$got" = "$2" ] || fail ${codes.checksumMismatch} "checksum mismatch for $(basename "$1"): expected sha256 $2, got $got; refusing to run it"; }`,
        // The run's own directory, fresh: mkdir fails if it exists, so nothing in it predates root.
        `run="$stage/run"; mkdir -m 700 "$run" || refuse "$run" "already there"`,
        ...delivery.files.flatMap(unpack),
        `printf '%s' ${quote(wrapper.toString("base64"))} | base64 -d > "$run/run.js"`,
        `check "$run/run.js" ${sha256Hex(wrapper)}`,
        `printf '%s' ${quote(Buffer.from(args.planJson).toString("base64"))} | base64 -d > "$run/plan.json"`,
        // cloud-init installs Node.js and the profile sync; the agent can be Online before it ends.
        "if command -v cloud-init >/dev/null 2>&1; then cloud-init status --wait >/dev/null 2>&1 || true; fi",
        'node_bin=$(command -v node 2>/dev/null || true); for c in /usr/local/bin/node /usr/bin/node-22; do [ -n "$node_bin" ] || { [ -x "$c" ] && node_bin=$c; } || true; done',
        `[ -n "$node_bin" ] || fail ${codes.noNode} "node not found on the host: cloud-init installs nodejs22 (see /var/log/cloud-init-output.log)"`,
        ...(args.profileSync !== undefined
            ? [
                  `( ${args.profileSync.trimEnd()}\n) >&2 || fail ${codes.profileSyncFailed} "the AWS profiles could not be synced from SSM Parameter Store (above)"`,
              ]
            : []),
        "set +e",
        'if [ "$(id -u)" = 0 ] && id ec2-user >/dev/null 2>&1; then',
        // Read access only: the files stay root's; ec2-user's group may read them and pass through.
        `  chgrp -R -h "$(id -g ec2-user)" "$run" && chmod 750 "$run" && chmod 640 "$run"/* && chmod 711 "$stage" || fail ${codes.stageRefused} "could not give ec2-user read access to $run"`,
        `  sudo -u ec2-user -H -- "$node_bin" "$run/run.js" ${verifyArgs}`,
        "else",
        `  "$node_bin" "$run/run.js" ${verifyArgs}`,
        "fi",
        "exit $?",
    ].join("\n");
}
