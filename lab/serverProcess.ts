// A test server run as a child process group (moto, sshd) is up once it listens on its port. If it
// never does, it is stopped and its temporary directory removed at once, and the error carries the
// tail of its stderr, which is where such a server says why it did not start.
import type { ChildProcess } from "child_process";

import { removeTempDir, stopGroup } from "./cleanup";
import { waitForPort } from "./ports";

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
    return stop;
}
