// A test server run as a child process group (moto, sshd) is up once it listens on its port. If it
// never does, it is stopped and its temporary directory removed at once, and the error carries the
// tail of its stderr, which is where such a server says why it did not start. A port that answers
// but belongs to another process (a parallel suite took it first) is a PortTakenError, and
// onFreePort starts again on another port.
import type { ChildProcess } from "child_process";

import { removeTempDir, stopGroup } from "./cleanup";
import { listenerProcessGroup } from "./listenerOwner";
import { freePort, waitForPort } from "./ports";

/** The port answered, but from another process than the server just started. */
export class PortTakenError extends Error {}

/** Runs `start` on a free port, again on a new one (up to `attempts` in all) if it was taken. */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await start(await freePort());
        } catch (error) {
            if (!(error instanceof PortTakenError) || attempt >= attempts) throw error;
        }
    }
}

/**
 * Waits up to `timeoutMs` for `child` (just spawned with stderr piped) to listen on `port`.
 * Returns its `stop`: stops the process group, then removes `tempDir`.
 */
export async function serverListening(
    name: string,
    child: ChildProcess,
    port: number,
    timeoutMs: number,
    tempDir: string,
): Promise<() => Promise<void>> {
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
        stderr = (stderr + chunk).slice(-4000);
    });
    const stop = async () => {
        await stopGroup(child);
        removeTempDir(tempDir);
    };
    try {
        await waitForPort(port, timeoutMs);
    } catch (error) {
        await stop();
        throw new Error(`${name} did not start: ${(error as Error).message}\n${stderr}`);
    }
    const owner = listenerProcessGroup(port);
    if (owner !== child.pid) {
        await stop();
        throw new PortTakenError(
            `${name} did not start: 127.0.0.1:${port} is held by process group ${owner ?? "unknown"}, not ${name}'s (${child.pid})`,
        );
    }
    return stop;
}

/**
 * For a server in a network namespace of the test's own (the port cannot be reached from here,
 * and nothing else listens there): waits up to `timeoutMs` for `child` to say on stderr that it
 * listens (`announcement`), as sshd -e does. Returns its `stop`, as serverListening does.
 */
export async function serverAnnounced(
    name: string,
    child: ChildProcess,
    announcement: RegExp,
    timeoutMs: number,
    tempDir: string,
): Promise<() => Promise<void>> {
    let stderr = "";
    const stop = async () => {
        await stopGroup(child);
        removeTempDir(tempDir);
    };
    const said = await new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(
            () => resolve(`nothing said ${announcement} in ${timeoutMs} ms`),
            timeoutMs,
        );
        child.once("exit", (code, signal) => resolve(`it exited (${signal ?? code})`));
        child.stderr?.on("data", (chunk) => {
            stderr = (stderr + chunk).slice(-4000);
            if (announcement.test(stderr)) {
                clearTimeout(timer);
                resolve(undefined);
            }
        });
    });
    if (said !== undefined) {
        await stop();
        throw new Error(`${name} did not start: ${said}\n${stderr}`);
    }
    return stop;
}
