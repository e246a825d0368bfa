// The credential agent's side of one sync. With at least one profile that has `agent`: the agent's
// system user, a group per service holding exactly the users the profile names (those not on this
// host are skipped, named), a token per service, the services file, then the lock and the agent
// running. With none: the units stopped and disabled (the lock's stop deletes its table), the
// services file, tokens and groups removed. A refused parameter removes nothing and never turns
// the agent off (its service is only not served). A removed service loses its token file and group
// after the services file without it is in place, so the agent, reloading, refuses its token and
// never reads a file that is gone. Every name here passed the shared rules (contract/rules.ts,
// agentServiceNameRule) before it reached a command, and every command gets an argument list.
import {
    agentGroupName,
    agentServiceNameRule,
    agentUnit,
    agentUser,
    imdsLockTable,
    imdsLockUnit,
} from "../../../contract/credentialAgent";
import type { HostProfile } from "../../../contract/profileParameters";
import {
    agentFilesPresent,
    ensureAgentDirectories,
    ensureTokenFile,
    removeAgentFiles,
    removeTokenFile,
    renderAgentServices,
    tokenServices,
    writeServicesFile,
} from "./agentFiles";
import {
    commandProblem,
    getent,
    mustRun,
    runCommand,
    systemdRuns,
    type RunCommand,
} from "./hostCommands";

export interface AgentHostOptions {
    /** The stand-in for / ("" on a host: ROLEPAIR_HOST_ROOT). */
    root: string;
    /** The region the agent asks STS in: the instance's. */
    region: string;
    run?: RunCommand;
    /** Whether systemd runs the units; default: it runs this host and root is "". */
    systemd?: boolean;
    /** The agent's user; tests name their own. */
    user?: string;
    /**
     * Names whose parameters the sync refused (SyncResult.refused). Not served, but their token
     * files and groups are kept, and the agent is never turned off while one is refused: a bad
     * parameter write, or one in a newer format than this sync reads, must not open IMDS to
     * every local user or break the token a container has mounted.
     */
    refused?: readonly string[];
}

export interface AgentHostResult {
    /** One line each of what changed or was skipped (the caller prefixes the program's name). */
    lines: string[];
    /** Something the agent needs could not be done; the rest was still done where it could. */
    failed: boolean;
}

const units = [imdsLockUnit, agentUnit].map((u) => `${u}.service`);

/** Whether the lock's table is in the kernel's rule set (nft answers 1 when it is not). */
async function lockTableLoaded(run: RunCommand): Promise<boolean> {
    const listed = await run("nft", ["list", "table", "inet", imdsLockTable]);
    if (listed.code === 0) return true;
    if (/No such file or directory/.test(listed.stderr)) return false;
    throw new Error(`nft list table inet ${imdsLockTable}: ${commandProblem(listed)}`);
}

/** The user's UID and primary GID, making it as a system user when missing. */
async function ensureAgentUser(run: RunCommand, user: string, lines: string[]) {
    let entry = await getent(run, "passwd", user);
    if (entry === undefined) {
        await mustRun(run, "useradd", [
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            user,
        ]);
        lines.push(`made the system user ${user}`);
        entry = await getent(run, "passwd", user);
        if (entry === undefined) throw new Error(`useradd made no user ${user}`);
    }
    return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** The service's group with exactly `wanted` (those that exist) as members; returns its GID. */
async function ensureGroup(
    run: RunCommand,
    service: string,
    wanted: readonly string[],
    lines: string[],
): Promise<number> {
    const group = agentGroupName(service);
    let entry = await getent(run, "group", group);
    if (entry === undefined) {
        await mustRun(run, "groupadd", ["--system", group]);
        lines.push(`made the group ${group}`);
        entry = await getent(run, "group", group);
        if (entry === undefined) throw new Error(`groupadd made no group ${group}`);
    }
    const present: string[] = [];
    const missing: string[] = [];
    for (const user of wanted) {
        ((await getent(run, "passwd", user)) === undefined ? missing : present).push(user);
    }
    if (missing.length > 0) {
        lines.push(
            `service ${service}: no such user on this host, not put in ${group}: ${missing.join(", ")}`,
        );
    }
    const members = (entry[3] ?? "").split(",").filter((m) => m !== "");
    const same =
        members.length === present.length &&
        [...members].sort().join() === [...present].sort().join();
    if (!same) {
        await mustRun(run, "gpasswd", ["-M", present.join(","), group]);
        lines.push(`${group} members: ${present.join(", ") || "none"}`);
    }
    return Number(entry[2]);
}

async function removeService(run: RunCommand, root: string, service: string, lines: string[]) {
    removeTokenFile(root, service);
    const group = agentGroupName(service);
    if ((await getent(run, "group", group)) !== undefined) {
        await mustRun(run, "groupdel", [group]);
    }
    lines.push(`service ${service} removed: its token file and ${group} are gone`);
}

/** Tokens in the directory under names the rule accepts (anything else is not the sync's). */
const ownTokenServices = (root: string) =>
    tokenServices(root).filter((s) => agentServiceNameRule.pattern.test(s));

async function agentOn(
    profiles: readonly HostProfile[],
    options: Required<AgentHostOptions>,
    lines: string[],
): Promise<boolean> {
    const { run, root, systemd } = options;
    const agent = await ensureAgentUser(run, options.user, lines);
    ensureAgentDirectories(root);
    let failed = false;
    // A new token under an old name (a rotation) leaves the services file as it was.
    let madeToken = false;
    const served: HostProfile[] = [];
    for (const profile of profiles.filter((p) => p.agent !== undefined)) {
        try {
            const gid = await ensureGroup(run, profile.name, profile.agent?.users ?? [], lines);
            if (ensureTokenFile(root, profile.name, agent.uid, gid) === "made") {
                lines.push(`made the token file of service ${profile.name}`);
                madeToken = true;
            }
            served.push(profile);
        } catch (error) {
            failed = true;
            lines.push(`service ${profile.name} not served: ${(error as Error).message}`);
        }
    }
    const wrote = writeServicesFile(
        root,
        renderAgentServices(served, options.region, root),
        agent.gid,
    );
    const names = served.map((p) => p.name).sort();
    lines.push(
        `${wrote ? "wrote" : "kept"} the credential agent's services file (services: ${names.join(", ") || "none"})`,
    );
    for (const stale of ownTokenServices(root).filter((s) => !names.includes(s))) {
        if (profiles.some((p) => p.name === stale && p.agent !== undefined)) continue;
        if (options.refused.includes(stale)) {
            lines.push(
                `service ${stale} not served while its parameter is refused; its token file and group are kept`,
            );
            continue;
        }
        await removeService(run, root, stale, lines);
    }
    if (!systemd) {
        lines.push("no systemd here: the lock and the agent were not started");
        return failed;
    }
    for (const unit of units) {
        const active = await run("systemctl", ["is-active", "--quiet", unit]);
        if (active.code !== 0) {
            await mustRun(run, "systemctl", ["enable", "--now", unit]);
            lines.push(`started and enabled ${unit}`);
        } else if (unit.startsWith(imdsLockUnit) && !(await lockTableLoaded(run))) {
            // Active (a oneshot stays so) but its table gone: a `flush ruleset` took it.
            await mustRun(run, "systemctl", ["reload", unit]);
            lines.push(`the IMDS lock's table ${imdsLockTable} was gone: loaded it again`);
        } else if ((wrote || madeToken) && unit.startsWith(agentUnit)) {
            // The agent also watches the file; the reload makes the change take effect at once.
            await mustRun(run, "systemctl", ["reload", unit]);
        }
    }
    return failed;
}

async function agentOff(options: Required<AgentHostOptions>, lines: string[]): Promise<void> {
    const { run, root, systemd } = options;
    if (systemd) {
        // The agent first: it must not serve a moment without the lock in front of IMDS.
        for (const unit of [...units].reverse()) {
            const stopped = await run("systemctl", ["disable", "--now", unit]);
            if (stopped.code === 0) continue;
            // A unit that was never installed is not running either: nothing to stop.
            if ((await run("systemctl", ["is-active", "--quiet", unit])).code === 0) {
                throw new Error(`systemctl disable --now ${unit}: ${commandProblem(stopped)}`);
            }
            lines.push(
                `${unit} could not be disabled (${commandProblem(stopped)}); it is not running`,
            );
        }
    } else {
        lines.push("no systemd here: no unit to stop");
    }
    const services = ownTokenServices(root);
    for (const service of services) await removeService(run, root, service, lines);
    removeAgentFiles(root);
    lines.push("credential agent off: its units are stopped and its files removed");
}

/** Puts the host in the state the profiles ask for; never throws for a host problem. */
export async function applyAgent(
    profiles: readonly HostProfile[],
    options: AgentHostOptions,
): Promise<AgentHostResult> {
    const full: Required<AgentHostOptions> = {
        run: runCommand,
        systemd: systemdRuns(options.root),
        user: agentUser,
        refused: [],
        ...options,
    };
    const lines: string[] = [];
    try {
        if (profiles.some((p) => p.agent !== undefined)) {
            return { lines, failed: await agentOn(profiles, full, lines) };
        }
        if (!agentFilesPresent(options.root)) return { lines, failed: false };
        if (full.refused.length > 0) {
            lines.push(
                `credential agent left as it is: no agent profile was read, but parameters were refused (${[...full.refused].sort().join(", ")})`,
            );
            return { lines, failed: false };
        }
        await agentOff(full, lines);
        return { lines, failed: false };
    } catch (error) {
        lines.push(`credential agent: ${(error as Error).message}`);
        return { lines, failed: true };
    }
}
