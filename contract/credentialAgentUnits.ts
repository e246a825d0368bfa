// How the credential agent and the IMDS lock are installed on the host: the two systemd units and
// the installer that puts the agent program, the lock's rule set and the units in place. The
// installer enables nothing: the profile sync starts and enables the units when a synced profile
// has `agent`, and stops and disables them when none has (verify/host/profileSync/agentHost.ts),
// so turning the agent on or off is a parameter change, never a user data change.
import { createHash } from "crypto";
import { gzipSync } from "zlib";

import {
    agentAddress,
    agentProgramPath,
    agentServicesFile,
    agentUnit,
    agentUser,
    imdsLockPath,
    imdsLockTable,
    imdsLockUnit,
} from "./credentialAgent";
import { credentialAgentProgram, imdsLockRules } from "./credentialAgentProgram";

/** Where systemd reads the units the installer writes. */
export const systemUnitDirectory = "/etc/systemd/system";

/**
 * Node flags the unit runs the agent with (bench/agent.ts measures it with the same).
 * --single-threaded: V8 runs its garbage collection and compilation on the agent's own thread,
 * not on helper threads: about 6 MB less resident after 100 concurrent clients on Node 24 (3 MB
 * on 22) at the same CPU per answer; the agent's heap is a few MB, so nothing is gained from
 * collecting it in parallel. (--lite-mode and --jitless save more and cost 4x the CPU per answer.)
 */
export const agentNodeFlags: readonly string[] = ["--single-threaded"];

/**
 * The agent's service: its own user (no shell, no home), only the capability to bind port 80, a
 * read-only view of the system. The `+` runs that one command as root: the address it listens on
 * is added to `lo` before it starts and removed when it stops (`-`: already gone is fine).
 * BindsTo= the lock: it never runs without it (a lock that fails to load keeps it from starting,
 * a lock stopped stops it first), so an agent answering means IMDS is locked. A SIGHUP that comes
 * before node has its handler (a reload asked while it starts) ends node as a clean exit, which
 * Restart=on-failure would leave down: RestartForceExitStatus= starts it again.
 */
export function credentialAgentUnitText(): string {
    return [
        "[Unit]",
        "Description=rolepair: the credential agent (each service's role, to the holders of its token)",
        `BindsTo=${imdsLockUnit}.service`,
        `After=network-online.target ${imdsLockUnit}.service`,
        "",
        "[Service]",
        "Type=simple",
        `User=${agentUser}`,
        `Group=${agentUser}`,
        `ExecStartPre=+/usr/sbin/ip address replace ${agentAddress}/32 dev lo`,
        `ExecStart=${["/usr/local/bin/node", ...agentNodeFlags, agentProgramPath].join(" ")} --services ${agentServicesFile}`,
        "ExecReload=/bin/kill -HUP $MAINPID",
        `ExecStopPost=-+/usr/sbin/ip address del ${agentAddress}/32 dev lo`,
        "Restart=on-failure",
        "RestartForceExitStatus=SIGHUP",
        "RestartSec=2s",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/**
 * The lock: loaded once and kept (oneshot, RemainAfterExit) before the agent starts; a reload
 * loads the file again (it replaces its own table in one transaction), a stop deletes the table.
 * It is loaded early in boot, before the network (DefaultDependencies=no, as nftables.service
 * is), so that no login, cron job or container started at boot reaches IMDS before it; after
 * nftables.service, and again whenever that is reloaded: its reload and stop run `flush ruleset`,
 * which takes this table too (the profile sync also loads it again when it finds it gone).
 */
export function imdsLockUnitText(): string {
    return [
        "[Unit]",
        "Description=rolepair: the IMDS lock (only root and the credential agent reach 169.254.169.254)",
        "DefaultDependencies=no",
        "Wants=network-pre.target",
        `Before=network-pre.target ${agentUnit}.service`,
        "After=nftables.service",
        "ReloadPropagatedFrom=nftables.service",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        `ExecStart=/usr/sbin/nft -f ${imdsLockPath}`,
        `ExecReload=/usr/sbin/nft -f ${imdsLockPath}`,
        `ExecStop=/usr/sbin/nft delete table inet ${imdsLockTable}`,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

export interface AgentInstallerFiles {
    /** The agent program's text (dist/credential-agent.js). */
    program?: string;
    /**
     * Where the host already has the program's text (a shell word, such as the SSM runner's
     * "$run/credential-agent.js", delivered in parts): the installer copies it from there instead
     * of carrying it inline (about 154 KB, more than one SendCommand takes), and still refuses it
     * unless its sha256 is `program`'s.
     */
    programFile?: string;
    /** The lock's rule set (dist/imds-lock.nft). */
    lock?: string;
}

/**
 * Installs (or leaves as is) the agent program, the lock's rule set and both units, enabling
 * neither. Safe to run again and again: a file is replaced only when its content differs; then
 * systemd reloads its units, and a running agent or lock picks the new file up. The program
 * travels gzipped and base64-encoded and is refused unless its sha256 matches. ROLEPAIR_HOST_ROOT
 * is the tests' stand-in for / (no systemd is asked then).
 */
export function credentialAgentInstaller(files: AgentInstallerFiles = {}): string {
    const program = files.program ?? credentialAgentProgram();
    const lock = files.lock ?? imdsLockRules();
    // `when` wraps the command: the heredoc's body starts on the line after it.
    const put = (target: string, content: string, marker: string, when = "|| true") => {
        if (content.split("\n").includes(marker)) {
            throw new Error(`credential agent installer: ${target}'s text holds its own marker`);
        }
        const command = `agent_put ${target} 644 <<'${marker}'`;
        const line = when === "|| true" ? `${command} || true` : when.replace("CMD", command);
        return [line, content.trimEnd(), marker];
    };
    const sha256 = createHash("sha256").update(program).digest("hex");
    const carried =
        files.programFile !== undefined
            ? [`cat -- ${files.programFile} >"$agent_program"`]
            : [
                  `base64 -d <<'ROLEPAIR_AGENT' | gzip -dc >"$agent_program"`,
                  ...(gzipSync(Buffer.from(program), { level: 9 })
                      .toString("base64")
                      .match(/.{1,76}/g) as string[]),
                  "ROLEPAIR_AGENT",
              ];
    return [
        "set -eu",
        "set -o pipefail",
        'root="${ROLEPAIR_HOST_ROOT:-}"',
        "agent_changed=0",
        "program_changed=0",
        "lock_changed=0",
        // Returns 0 when it replaced the file, 1 when the file already held that; a failure to
        // install exits (a caller's `if` or `||` would otherwise hide it).
        'agent_put() { tmp=$(mktemp); cat >"$tmp"; if cmp -s "$tmp" "$root$1"; then rm -f "$tmp"; return 1; fi; install -D -m "$2" -o root -g root "$tmp" "$root$1" || { rm -f "$tmp"; echo "rolepair: could not install $1" >&2; exit 1; }; rm -f "$tmp"; agent_changed=1; }',
        "agent_program=$(mktemp)",
        ...carried,
        `if [ "$(sha256sum "$agent_program" | cut -d ' ' -f 1)" != ${sha256} ]; then echo "rolepair: the credential agent program arrived damaged; not installed" >&2; rm -f "$agent_program"; exit 1; fi`,
        `if agent_put ${agentProgramPath} 644 <"$agent_program"; then program_changed=1; fi`,
        'rm -f "$agent_program"',
        ...put(imdsLockPath, lock, "ROLEPAIR_IMDS_LOCK", "if CMD; then lock_changed=1; fi"),
        ...put(
            `${systemUnitDirectory}/${imdsLockUnit}.service`,
            imdsLockUnitText(),
            "ROLEPAIR_LOCK_UNIT",
        ),
        ...put(
            `${systemUnitDirectory}/${agentUnit}.service`,
            credentialAgentUnitText(),
            "ROLEPAIR_AGENT_UNIT",
        ),
        // Without systemd (only the tests' stand-in host) there is no unit to reload.
        'if [ -d /run/systemd/system ] && [ -z "$root" ] && [ "$agent_changed" = 1 ]; then',
        "  systemctl daemon-reload",
        `  if [ "$lock_changed" = 1 ]; then systemctl try-reload-or-restart ${imdsLockUnit}.service; fi`,
        `  if [ "$program_changed" = 1 ]; then systemctl try-restart ${agentUnit}.service; fi`,
        "fi",
        "",
    ].join("\n");
}
