// A double for systemd (no systemd runs here): starts, reloads and stops services from the unit
// files the installer wrote under a stand-in root, as systemd would on the directives those units
// use (unitFile.ts refuses any other). Every command runs in the stand-in host (lab/hostLayout.ts:
// its network namespace, and a mount namespace copied from the host's, where the stand-in root's
// parts are at their real paths, as the SSH host's sessions see them). Wants= network-online.target
// and network-pre.target are taken as reached (the namespace's network is up before the test
// starts a unit); no other target is. Then, unless the command has `+`, the unit's sandbox
// (ProtectSystem=strict, ProtectHome=yes, PrivateTmp=yes) and its credentials (User=/Group= with
// the user's groups, capabilities, NoNewPrivileges=) through setpriv, as systemd applies them.
// TimeoutStartSec= stops a oneshot's ExecStart= that runs longer; Restart=on-failure starts a
// failed main process again (RestartForceExitStatus= as systemd reads it); BindsTo= ties a unit's
// start and stop to another's.
import { ChildProcess, execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { systemUnitDirectory } from "../../contract/credentialAgentUnits";
import { spawnGroup, stopGroup } from "../../lab/cleanup";
import { shellQuote as quote, type StandInHost } from "../../lab/hostLayout";
import { readServiceUnit, ServiceUnit, UnitCommand } from "./unitFile";

/** systemd's PATH for services. */
const servicePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface HostLayout {
    /** The stand-in for / the installer wrote into (its units are read from there). */
    root: string;
    /** The host every command runs in (lab/hostLayout.ts), built over `root`. */
    host: StandInHost;
}

interface Running {
    unit: ServiceUnit;
    main?: ChildProcess;
    /** Set by stop(): the main process's exit is then no failure to restart from. */
    stopping?: boolean;
    /** A restart under way (Restart=on-failure), awaited by stop(). */
    restarting?: Promise<void>;
}

export class UnitRunner {
    /** What each command wrote, the stand-in's journal (checked for secrets by the tests). */
    readonly journal: string[] = [];
    /** "start NAME" / "stop NAME" / "run NAME ExecX", in order. */
    readonly events: string[] = [];
    private readonly active = new Map<string, Running>();
    private readonly starting = new Map<string, Promise<void>>();

    constructor(private readonly layout: HostLayout) {}

    private unitDirectory(): string {
        return path.join(this.layout.root, systemUnitDirectory);
    }

    mainPid(name: string): number | undefined {
        return this.active.get(name)?.main?.pid;
    }

    /** Whether `name` is active: started and not stopped (a oneshot only with RemainAfterExit=). */
    isActive(name: string): boolean {
        return this.active.has(name);
    }

    /**
     * Waits (60 s at most) for `text` in the journal, from `name`'s main process; throws, with the
     * journal, when that process exits first.
     */
    async untilJournal(name: string, text: string): Promise<void> {
        const deadline = Date.now() + 60_000;
        while (!this.journal.some((line) => line.includes(text))) {
            if (this.mainExited(name) || Date.now() > deadline) {
                throw new Error(`${name} never wrote "${text}":\n${this.journal.join("")}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }

    /** Whether an active `name` has ExecReload=. */
    canReload(name: string): boolean {
        return this.running(name).unit.execReload.length > 0;
    }

    /** Whether the main process of an active unit has exited (and not been restarted yet). */
    mainExited(name: string): boolean {
        const main = this.active.get(name)?.main;
        return main !== undefined && (main.exitCode !== null || main.signalCode !== null);
    }

    /**
     * Starts `name` and what it Wants= and BindsTo=, ordered by After=/Before= (one transaction).
     * As in systemd, a wanted unit that fails does not stop the others; a unit whose BindsTo= one
     * failed is not started, and the start of `name` fails when it or such a unit does.
     */
    async start(name: string): Promise<void> {
        const units = new Map<string, ServiceUnit>();
        const add = (unitName: string) => {
            if (units.has(unitName)) return;
            const unit = readServiceUnit(this.unitDirectory(), unitName);
            units.set(unitName, unit);
            for (const wanted of [...unit.wants, ...unit.bindsTo]) {
                // The namespace's network is up before any unit starts: these targets are reached.
                if (reachedTargets.includes(wanted)) continue;
                add(serviceName(unitName, wanted));
            }
        };
        add(name);
        const failed = new Map<string, Error>();
        for (const unit of order([...units.values()])) {
            if (this.active.has(unit.name)) continue;
            const boundTo = unit.bindsTo.map((b) => serviceName(unit.name, b));
            const down = boundTo.find((b) => failed.has(b));
            if (down !== undefined) {
                this.events.push(`not started ${unit.name}: ${down} failed`);
                failed.set(unit.name, new Error(`${unit.name}: not started, ${down} failed`));
                continue;
            }
            // A start asked while one is under way waits for it, as systemd joins the two jobs.
            let starting = this.starting.get(unit.name);
            if (starting === undefined) {
                starting = this.startOne(unit).finally(() => this.starting.delete(unit.name));
                this.starting.set(unit.name, starting);
            }
            try {
                await starting;
            } catch (error) {
                this.journal.push(`${unit.name} failed: ${(error as Error).message}\n`);
                failed.set(unit.name, error as Error);
            }
        }
        const own = failed.get(name);
        if (own !== undefined) throw own;
    }

    private async startOne(unit: ServiceUnit): Promise<void> {
        this.events.push(`start ${unit.name}`);
        for (const c of unit.execStartPre) await this.runCommand(unit, "ExecStartPre", c);
        if (unit.type === "oneshot") {
            for (const c of unit.execStart) {
                await this.runCommand(unit, "ExecStart", c, unit.timeoutStartSec);
            }
            if (unit.remainAfterExit) this.active.set(unit.name, { unit });
            return;
        }
        const running: Running = { unit };
        this.active.set(unit.name, running);
        this.launchMain(running);
    }

    /**
     * Spawns the main process. With Restart=on-failure, a failure (exit ≠ 0, a signal) not caused
     * by stop() is followed, as systemd does, by ExecStopPost=, RestartSec=, then ExecStartPre=
     * and ExecStart= again.
     */
    private launchMain(running: Running): void {
        const { unit } = running;
        const main = this.spawn(unit, "ExecStart", unit.execStart[0]);
        running.main = main;
        main.once("exit", (code, signal) => {
            if (running.stopping || running.main !== main) return;
            if (unit.restart !== "on-failure" || !failedExit(unit, code, signal)) return;
            this.events.push(`restart ${unit.name}`);
            running.restarting = (async () => {
                for (const c of unit.execStopPost) {
                    await this.runCommand(unit, "ExecStopPost", c).catch(() => undefined);
                }
                await new Promise((resolve) => setTimeout(resolve, unit.restartSec * 1000));
                if (running.stopping) return;
                for (const c of unit.execStartPre) await this.runCommand(unit, "ExecStartPre", c);
                this.launchMain(running);
            })().catch((error: Error) => {
                this.journal.push(`${unit.name} restart failed: ${error.message}\n`);
            });
        });
    }

    /** ExecReload=, with $MAINPID. */
    async reload(name: string): Promise<void> {
        const running = this.running(name);
        if (running.unit.execReload.length === 0) throw new Error(`${name}: no ExecReload=`);
        for (const c of running.unit.execReload)
            await this.runCommand(running.unit, "ExecReload", c);
    }

    /**
     * The active units bound to `name` first (BindsTo=), then `name`: ExecStop=, then (for the main
     * process) SIGTERM to its group, then ExecStopPost=.
     */
    async stop(name: string): Promise<void> {
        const running = this.running(name);
        for (const [other, { unit }] of [...this.active]) {
            if (unit.bindsTo.includes(`${name}.service`)) await this.stop(other);
        }
        this.events.push(`stop ${name}`);
        running.stopping = true;
        await running.restarting;
        for (const c of running.unit.execStop) await this.runCommand(running.unit, "ExecStop", c);
        if (running.main !== undefined) await stopGroup(running.main, 10_000);
        for (const c of running.unit.execStopPost) {
            await this.runCommand(running.unit, "ExecStopPost", c);
        }
        this.active.delete(name);
    }

    /** Stops every active unit, the last started first. */
    async stopAll(): Promise<void> {
        for (const name of [...this.active.keys()].reverse()) {
            // Stopped already, with a unit it was bound to.
            if (this.active.has(name)) await this.stop(name);
        }
    }

    private running(name: string): Running {
        const running = this.active.get(name);
        if (running === undefined) throw new Error(`${name} is not active`);
        return running;
    }

    private async runCommand(
        unit: ServiceUnit,
        key: string,
        c: UnitCommand,
        timeoutSeconds?: number,
    ): Promise<void> {
        const child = this.spawn(unit, key, c);
        // As systemd on TimeoutStartSec=: the command's group is stopped, and the start fails.
        const timer =
            timeoutSeconds === undefined
                ? undefined
                : setTimeout(() => void stopGroup(child, 5_000), timeoutSeconds * 1000);
        const code = await new Promise<number>((resolve) =>
            child.once("exit", (status, signal) => resolve(signal === null ? (status ?? 0) : 128)),
        );
        clearTimeout(timer);
        if (code !== 0 && !c.ignoreFailure) {
            throw new Error(`${unit.name}: ${key}=${c.argv.join(" ")} exited ${code}`);
        }
    }

    private spawn(unit: ServiceUnit, key: string, c: UnitCommand): ChildProcess {
        this.events.push(`run ${unit.name} ${key}`);
        const mainPid = this.mainPid(unit.name);
        const argv = c.argv.map((word) =>
            word === "$MAINPID" || word === "${MAINPID}" ? String(mainPid ?? "") : word,
        );
        const script = [
            "set -eu",
            ...(c.privileged ? [] : sandbox(unit, this.layout.root)),
            `exec ${[...(c.privileged ? [] : credentials(unit)), '"$@"'].join(" ")}`,
        ].join("\n");
        const [enter, ...entering] = this.layout.host.enter;
        const child = spawnGroup(
            enter,
            [
                ...entering,
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                script,
                "sh",
                ...argv,
            ],
            {
                cwd: "/",
                env: this.environment(unit, c, mainPid),
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        const tag = `${unit.name} ${key}: `;
        child.stdout?.on("data", (chunk: Buffer) => this.journal.push(tag + chunk.toString()));
        child.stderr?.on("data", (chunk: Buffer) => this.journal.push(tag + chunk.toString()));
        return child;
    }

    /** systemd's environment for a service: PATH, the user's names and home, Environment=. */
    private environment(unit: ServiceUnit, c: UnitCommand, mainPid: number | undefined) {
        const env: NodeJS.ProcessEnv = { PATH: servicePath };
        if (unit.user !== undefined && !c.privileged) {
            const entry = passwd(unit.user);
            Object.assign(env, {
                USER: unit.user,
                LOGNAME: unit.user,
                HOME: entry[5],
                SHELL: entry[6],
            });
        }
        if (mainPid !== undefined) env.MAINPID = String(mainPid);
        return { ...env, ...unit.environment };
    }
}

const reachedTargets = ["network-online.target", "network-pre.target"];

/**
 * Whether a main process's end is a failure to Restart=on-failure: a non-zero exit, or a signal
 * but those systemd counts as clean (SIGHUP, SIGINT, SIGTERM, SIGPIPE) unless the unit names it
 * in RestartForceExitStatus=.
 */
function failedExit(unit: ServiceUnit, code: number | null, signal: string | null): boolean {
    if (signal === null) return code !== 0;
    const clean = ["SIGHUP", "SIGINT", "SIGTERM", "SIGPIPE"].includes(signal);
    return !clean || unit.restartForceSignals.includes(signal);
}

/** "rolepair-imds-lock.service" → "rolepair-imds-lock"; other kinds (targets) are refused. */
function serviceName(from: string, unit: string): string {
    if (!unit.endsWith(".service")) {
        throw new Error(`${from}: Wants=${unit} is not a service; the stand-in starts services`);
    }
    return unit.slice(0, -".service".length);
}

/** The units in start order: A before B when A has Before=B or B has After=A. */
function order(units: ServiceUnit[]): ServiceUnit[] {
    const names = new Set(units.map((u) => u.name));
    const first = new Map<string, Set<string>>(units.map((u) => [u.name, new Set<string>()]));
    for (const u of units) {
        for (const later of u.before.map((b) => b.replace(/\.service$/, ""))) {
            if (names.has(later)) first.get(later)?.add(u.name);
        }
        for (const earlier of u.after.map((a) => a.replace(/\.service$/, ""))) {
            if (names.has(earlier)) first.get(u.name)?.add(earlier);
        }
    }
    const sorted: ServiceUnit[] = [];
    const visit = (u: ServiceUnit, seen: string[]) => {
        if (sorted.includes(u)) return;
        if (seen.includes(u.name))
            throw new Error(`ordering cycle: ${[...seen, u.name].join(" → ")}`);
        for (const earlier of first.get(u.name) ?? []) {
            visit(
                units.find((x) => x.name === earlier)!,
                [...seen, u.name],
            );
        }
        sorted.push(u);
    };
    for (const u of units) visit(u, []);
    return sorted;
}

/**
 * The sandbox's mounts, in this namespace only: home directories hidden, a private /tmp and
 * /var/tmp, then every other mount read-only but /dev, /proc and /sys. The stand-in root's
 * /etc/rolepair is shown again at its own path when a private /tmp hides it: under a stand-in root
 * the sync names the token files there.
 */
function sandbox(unit: ServiceUnit, root: string): string[] {
    const lines: string[] = [];
    const shown = quote(path.join(root, "etc/rolepair"));
    if (unit.protectHome) {
        lines.push(
            'for d in /home /root /run/user; do if [ -d "$d" ]; then mount -t tmpfs -o ro,mode=000 rolepair-home "$d"; fi; done',
        );
    }
    if (unit.privateTmp) {
        lines.push(
            "mount -t tmpfs -o mode=1777 rolepair-tmp /tmp",
            "mount -t tmpfs -o mode=1777 rolepair-tmp /var/tmp",
            `if [ -d /etc/rolepair ]; then mkdir -p ${shown}; mount --bind /etc/rolepair ${shown}; ${unit.protectSystemStrict ? `mount -o remount,bind,ro ${shown}; ` : ""}fi`,
        );
    }
    if (unit.protectSystemStrict) {
        const writable = unit.privateTmp ? "|/tmp|/tmp/*|/var/tmp" : "";
        lines.push(
            `for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do case "$m" in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*${writable}) ;; *) mount -o remount,bind,ro "$m" ;; esac; done`,
        );
    }
    return lines;
}

/** setpriv for User=/Group= (with the user's groups, as systemd's initgroups), capabilities and no_new_privs. */
function credentials(unit: ServiceUnit): string[] {
    const args = ["setpriv"];
    if (unit.user !== undefined) {
        passwd(unit.user); // A missing user fails here, naming it, not inside setpriv.
        args.push(
            `--reuid=${quote(unit.user)}`,
            `--regid=${quote(unit.group ?? passwd(unit.user)[3])}`,
            "--init-groups",
        );
    }
    if (unit.ambientCapabilities.length > 0) {
        const caps = unit.ambientCapabilities.map((c) => `+${c}`).join(",");
        args.push(`--inh-caps=${caps}`, `--ambient-caps=${caps}`);
    }
    if (unit.capabilityBoundingSet !== undefined) {
        const caps = unit.capabilityBoundingSet.map((c) => `,+${c}`).join("");
        args.push(`--bounding-set=-all${caps}`);
    }
    if (unit.noNewPrivileges) args.push("--no-new-privs");
    return args.length === 1 ? [] : [...args, "--"];
}

function passwd(user: string): string[] {
    const line = fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${user}:`));
    if (line === undefined) throw new Error(`User=${user}: no such user`);
    return line.split(":");
}

/** Runs `command` in `namespace` as root (for the tests' checks); its stdout. */
export function inNamespaceNow(namespace: string, command: string[]): Promise<string> {
    return new Promise((resolve, reject) =>
        execFile("ip", ["netns", "exec", namespace, ...command], (error, stdout, stderr) =>
            error === null ? resolve(stdout) : reject(new Error(`${command.join(" ")}: ${stderr}`)),
        ),
    );
}
