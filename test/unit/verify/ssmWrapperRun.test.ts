// The on-host SSM wrapper's run of verify (verify/host/proof/ssmWrapper.ts, runWrapper): it runs the
// verify it is given as a child of node, passes its arguments, fits its output to what
// GetCommandInvocation returns, ends stdout with the end marker, and exits with verify's code, or 3
// when verify could not run or was killed. Here "verify" is a small script standing in for the
// bundle (the SSM layer, test/ssm/, runs the real one through the wrapper).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { runWrapper, type WrapperIo } from "../../../verify/host/proof/ssmWrapper";
import { endMarker, ssmStderrLimit, ssmStdoutLimit } from "../../../contract/ssmLimits";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";

/** The wrapper's output, captured, and its exit code. */
function wrap(verifyPath: string, args: string[], execPath = process.execPath) {
    const out = { stdout: [] as unknown[], stderr: [] as unknown[] };
    const io: WrapperIo = {
        execPath,
        stdout: (text) => out.stdout.push(text),
        stderr: (text) => out.stderr.push(text),
    };
    const code = runWrapper([verifyPath, ...args], io);
    return { code, ...out };
}

describe("SSM wrapper: running verify", function () {
    this.timeout(30_000);
    let dir: string;
    /** A stand-in for verify: `body` is its JavaScript. */
    const verify = (name: string, body: string) => {
        const file = path.join(dir, `${name}.js`);
        fs.writeFileSync(file, body);
        return file;
    };

    before(() => (dir = makeTempDir("rolepair-wrapper-")));
    after(() => removeTempDir(dir));

    it("passes verify its arguments, writes its report compact with the end marker, and exits with its code", () => {
        const report = { ok: false, steps: [], services: [], isolation: [], identities: {} };
        const script = verify(
            "report",
            `process.stdout.write(JSON.stringify({ ...${JSON.stringify(report)}, args: process.argv.slice(2) }, null, 2) + "\\n");
             process.stderr.write("verify: 1 of 1 services failed\\n");
             process.exitCode = 1;`,
        );
        const r = wrap(script, ["--region", "eu-west-3", "--targets", "-"]);
        assert.strictEqual(r.code, 1);
        assert.deepStrictEqual(r.stderr, ["verify: 1 of 1 services failed\n"]);
        assert.deepStrictEqual(r.stdout, [
            `${JSON.stringify({ ...report, args: ["--region", "eu-west-3", "--targets", "-"] })}\n${endMarker}\n`,
        ]);
    });

    it("fits output longer than SSM returns, and keeps the ends of it", () => {
        const script = verify(
            "long",
            `process.stdout.write("s".repeat(${ssmStdoutLimit * 2}) + "END");
             process.stderr.write("e".repeat(${ssmStderrLimit * 2}) + "diagnosis");`,
        );
        const r = wrap(script, []);
        assert.strictEqual(r.code, 0);
        const [stdout] = r.stdout as string[];
        const [stderr] = r.stderr as string[];
        assert.ok(stdout.length < ssmStdoutLimit, `stdout ${stdout.length}`);
        assert.ok(stdout.endsWith(`END\n${endMarker}\n`));
        assert.ok(stderr.length <= ssmStderrLimit - 200, `stderr ${stderr.length}`);
        assert.ok(stderr.length > ssmStderrLimit - 400, `stderr ${stderr.length}`);
        assert.ok(stderr.endsWith("diagnosis"));
    });

    it("exits 3 when verify was killed by a signal, still with what it wrote and the end marker", () => {
        const script = verify(
            "killed",
            `process.stdout.write("partial"); process.kill(process.pid, "SIGKILL");`,
        );
        const r = wrap(script, []);
        assert.strictEqual(r.code, 3);
        assert.deepStrictEqual(r.stdout, [`partial\n${endMarker}\n`]);
    });

    it("exits 3 when verify cannot be started, saying why, and writes no report", () => {
        const r = wrap(verify("never", ""), [], path.join(dir, "no-such-node"));
        assert.strictEqual(r.code, 3);
        assert.deepStrictEqual(r.stdout, []);
        assert.strictEqual(r.stderr.length, 1);
        assert.match(String(r.stderr[0]), /^rolepair-ssm: could not run verify: \S.*ENOENT.*\n$/);
    });
});
