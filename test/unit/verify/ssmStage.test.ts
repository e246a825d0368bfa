// The SSM scripts run as root in a directory ec2-user owns (verify/operator/ssm/hostScript.ts):
// a ~/.rolepair-ssm or a run's directory that is a symbolic link is refused, saying so, and its
// target is left exactly as it was; a real directory of another user is made root's again.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { hostExitCodes, planDelivery, runScript } from "../../../verify/operator/ssm/hostScript";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";

describe("the SSM scripts' stage on the host", () => {
    let home: string;
    let target: string;
    const delivery = planDelivery(Buffer.from("console.log('x')\n"), "0123456789abcdef");
    const scripts = () => [
        ...delivery.partScripts,
        runScript({ delivery, wrapperSource: "", planJson: "[]", region: "us-east-1" }),
    ];
    const run = (script: string) =>
        spawnSync("bash", ["--norc", "--noprofile", "-c", script], {
            env: { PATH: process.env.PATH, ROLEPAIR_HOST_HOME: home },
            encoding: "utf8",
            timeout: 10_000,
        });
    const snapshot = (dir: string) =>
        fs.readdirSync(dir).map((name) => {
            const stat = fs.lstatSync(path.join(dir, name));
            return [name, stat.mode, stat.uid];
        });

    beforeEach(() => {
        home = makeTempDir("rolepair-ssmhome-");
        target = makeTempDir("rolepair-ssmtarget-");
        fs.writeFileSync(path.join(target, "keep"), "x");
        fs.chmodSync(target, 0o755);
    });
    afterEach(() => {
        removeTempDir(home);
        removeTempDir(target);
    });

    it("refuses a symbolic ~/.rolepair-ssm in every script, leaving its target untouched", () => {
        const base = path.join(home, ".rolepair-ssm");
        fs.symlinkSync(target, base);
        const before = { mode: fs.statSync(target).mode, entries: snapshot(target) };
        for (const script of scripts()) {
            const result = run(script);
            assert.strictEqual(result.status, hostExitCodes.stageRefused, result.stderr);
            assert.strictEqual(
                result.stderr.trim(),
                `rolepair-ssm: ${base} is a symbolic link; refused (root follows no link in a directory ec2-user owns)`,
            );
        }
        assert.deepStrictEqual(
            { mode: fs.statSync(target).mode, entries: snapshot(target) },
            before,
        );
        assert.ok(fs.lstatSync(base).isSymbolicLink());
    });

    it("refuses a run's directory that is a symbolic link", () => {
        const base = path.join(home, ".rolepair-ssm");
        fs.mkdirSync(base);
        const stage = path.join(base, delivery.runId);
        fs.symlinkSync(target, stage);
        const before = snapshot(target);
        for (const script of scripts()) {
            const result = run(script);
            assert.strictEqual(result.status, hostExitCodes.stageRefused, result.stderr);
            assert.match(result.stderr, new RegExp(`${stage} is a symbolic link; refused`));
        }
        assert.deepStrictEqual(snapshot(target), before);
    });

    it("makes the parent its own, mode 711, and delivers into a real directory", () => {
        const result = run(delivery.partScripts[0]);
        assert.strictEqual(result.status, 0, result.stderr);
        const base = fs.lstatSync(path.join(home, ".rolepair-ssm"));
        assert.ok(base.isDirectory());
        assert.strictEqual(base.mode & 0o777, 0o711);
        assert.strictEqual(base.uid, process.getuid!());
        assert.ok(fs.existsSync(path.join(home, ".rolepair-ssm", delivery.runId, "part-000")));
    });
});
