// `npm run demo -- --broken-grant` as a person runs it (npm, ts-node, its own set-up, build and
// moto): service-b's access policy also names service-a's bucket, so the proof fails on exactly
// that isolation row, with its diagnosis, and the demo exits 1.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

const root = path.join(__dirname, "..", "..");

describe("npm run demo -- --broken-grant", function () {
    this.timeout(180_000);
    let child: ChildProcess | undefined;
    // The demo stops its own moto and IMDS double on SIGTERM; it runs in a process group of its
    // own (npm, its shell, ts-node) so that the signal reaches the demo, not only npm.
    const stopChild = (): void => {
        if (child?.pid !== undefined && child.exitCode === null)
            process.kill(-child.pid, "SIGTERM");
    };
    process.once("SIGTERM", stopChild);
    after(() => {
        stopChild();
        process.removeListener("SIGTERM", stopChild);
    });

    it("fails the proof naming service-b's isolation row and its diagnosis, exit 1", async () => {
        const ran = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
            (resolve, reject) => {
                child = spawn("npm", ["run", "demo", "--", "--broken-grant"], {
                    cwd: root,
                    stdio: ["ignore", "pipe", "pipe"],
                    detached: true,
                });
                let stdout = "";
                let stderr = "";
                child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
                child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
                child.on("error", reject);
                child.on("close", (code) => resolve({ code, stdout, stderr }));
            },
        );
        const output = ran.stdout + ran.stderr;
        assert.strictEqual(ran.code, 1, output);
        assert.match(ran.stdout, /--broken-grant: service-b's role also holds service-a's/);
        assert.match(ran.stdout, /^service-b +LEAK ✗ +own ✓ +denied ✓$/m);
        assert.match(output, /service "service-b" isolation from bucket \S+ failed/);
        assert.match(
            output,
            /service service-b can list bucket \S+.*\(a wildcard resource or a merged policy\)/,
        );
        assert.match(ran.stdout, /Emulator and IMDS double stopped, temporary files removed\./);
    });
});
