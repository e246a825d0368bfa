// No litter, no orphans: every temporary directory and every child process group the fixtures
// create is registered here and removed or killed when the process exits, also when only this
// process (mocha) gets SIGTERM, SIGINT or SIGHUP. Children are spawned detached (their own
// process group), so killing the group also reaches what they spawned (sshd under unshare).
import { ChildProcess, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const tempDirs = new Set<string>();
const groups = new Set<number>();
const hooks = new Set<() => void>();
let installed = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // Already gone.
    }
}

/** Synchronous, so it can run in the "exit" handler: kill every group, remove every directory. */
function cleanUpNow(): void {
    for (const pid of groups) killGroup(pid, "SIGKILL");
    groups.clear();
    for (const hook of hooks) {
        try {
            hook();
        } catch {
            // Best effort: the others still run.
        }
    }
    hooks.clear();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
}

function install(): void {
    if (installed) return;
    installed = true;
    process.once("exit", cleanUpNow);
    const signals: [NodeJS.Signals, number][] = [
        ["SIGTERM", 143],
        ["SIGINT", 130],
        ["SIGHUP", 129],
    ];
    for (const [signal, code] of signals) {
        process.once(signal, () => {
            cleanUpNow();
            process.exit(code);
        });
    }
}

/** A new temporary directory `<tmp>/<prefix>XXXXXX`, removed at exit if not removed before. */
export function makeTempDir(prefix: string): string {
    install();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

/**
 * Runs `undo` (synchronous: it may run in the "exit" handler) at exit or on a signal, after the
 * process groups are killed: for what is neither a directory nor a child (a network namespace, a
 * user). Returns a function that runs it now and forgets it.
 */
export function registerCleanup(undo: () => void): () => void {
    install();
    hooks.add(undo);
    return () => {
        if (hooks.delete(undo)) undo();
    };
}

/** Removes a directory made by makeTempDir now. */
export function removeTempDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
}

/**
 * Spawns a long-lived child (an emulator, a server) in its own process group, killed with its
 * whole group at exit or on a signal if stopGroup was not called first.
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
    install();
    const child = spawn(command, args, { ...options, detached: true });
    if (child.pid !== undefined) {
        const pid = child.pid;
        groups.add(pid);
        child.once("exit", () => {
            // The leader is gone; anything left in its group is killed too.
            killGroup(pid, "SIGKILL");
            groups.delete(pid);
        });
    }
    return child;
}

/** Stops a spawnGroup child: SIGTERM to its group, SIGKILL after `graceMs`; resolves on exit. */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
}
