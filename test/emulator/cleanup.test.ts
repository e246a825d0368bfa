// No orphans, no litter: when only mocha is signalled (SIGTERM or SIGINT, as a CI runner or
// Ctrl-C does), the moto it started dies with it and moto's temporary directory is removed.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../lab/cleanup";

const root = path.join(__dirname, "..", "..");
const mocha = path.join(root, "node_modules", "mocha", "bin", "mocha.js");
const suite = path.join(root, "test", "support", "suites", "startsMoto.suite.ts");

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

describe("clean-up when mocha alone is signalled", function () {
    this.timeout(60_000);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        it(`${signal} to mocha: moto's process is gone and its temp dir removed`, async () => {
            const dir = makeTempDir("rolepair-cleanup-test-");
            try {
                const report = path.join(dir, "moto.json");
                // Only this mocha child is signalled, never this test's own process.
                const child = spawn(process.execPath, [mocha, "--config", ".mocharc.json", suite], {
                    cwd: root,
                    env: { ...process.env, ROLEPAIR_REPORT: report },
                    stdio: ["ignore", "ignore", "pipe"],
                });
                let stderr = "";
                child.stderr?.on("data", (d) => (stderr += d));
                const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
                    child.once("exit", (code, sig) => resolve(sig ?? code)),
                );
                const moto = await waitFor(
                    () =>
                        fs.existsSync(report)
                            ? (JSON.parse(fs.readFileSync(report, "utf8")) as {
                                  pid: number;
                                  tempDir: string;
                              })
                            : undefined,
                    30_000,
                ).catch(async (error: Error) => {
                    // Let mocha's own clean-up stop whatever it did start; force it only after.
                    child.kill("SIGTERM");
                    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
                    await exited;
                    clearTimeout(timer);
                    throw new Error(`${error.message}: moto never started\n${stderr}`);
                });
                assert.ok(alive(moto.pid), "moto must be running before the signal");
                assert.ok(fs.existsSync(moto.tempDir));

                child.kill(signal);
                const status = await exited;
                assert.notStrictEqual(status, 0, "mocha must not report success");
                await waitFor(() => (alive(moto.pid) ? undefined : true), 5_000).catch(() => {
                    throw new Error(`moto (pid ${moto.pid}) survived mocha's ${signal}`);
                });
                assert.ok(!fs.existsSync(moto.tempDir), `${moto.tempDir} was left behind`);
            } finally {
                removeTempDir(dir);
            }
        });
    }
});
