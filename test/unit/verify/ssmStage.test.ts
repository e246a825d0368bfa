// The SSM scripts run as root (verify/operator/ssm/hostScript.ts) and stage under
// /var/lib/rolepair/ssm, a base only root can write in, so nothing ec2-user controls is ever on
// the path: a link planted at the old place (~/.rolepair-ssm) changes nothing, the base is root's
// and closed to other users, a link or a non-directory at a stage path (which only root could
// have made) is refused, and verify reads its files as ec2-user without owning or changing them.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { hostExitCodes, planDelivery, runScript } from "../../../verify/operator/ssm/hostScript";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";

/** The uid and gid that play ec2-user where the shims below say it exists (nobody's). */
const userId = 65534;

describe("the SSM scripts' stage on the host", function () {
    this.timeout(20_000);
    let root: string;
    let home: string;
    let target: string;
    const delivery = planDelivery(Buffer.from("console.log('x')\n"), "0123456789abcdef");
    const runOnly = (wrapperSource = "") =>
        runScript({ delivery, wrapperSource, planJson: "[]", region: "us-east-1" });
    const scripts = () => [...delivery.partScripts, runOnly()];
    const run = (script: string, pathPrefix = "") =>
        spawnSync("bash", ["--norc", "--noprofile", "-c", script], {
            env: {
                PATH: `${pathPrefix}${process.env.PATH}`,
                ROLEPAIR_HOST_ROOT: root,
                ROLEPAIR_HOST_HOME: home,
            },
            encoding: "utf8",
            timeout: 15_000,
        });
    const snapshot = (dir: string) =>
        fs.readdirSync(dir).map((name) => {
            const stat = fs.lstatSync(path.join(dir, name));
            return [name, stat.mode, stat.uid];
        });
    const base = () => path.join(root, "var/lib/rolepair/ssm");

    beforeEach(() => {
        root = makeTempDir("rolepair-ssmroot-");
        // As on a host: / and /var/lib are root's and traversable.
        fs.chmodSync(root, 0o755);
        fs.mkdirSync(path.join(root, "var/lib"), { recursive: true, mode: 0o755 });
        fs.chmodSync(path.join(root, "var"), 0o755);
        fs.chmodSync(path.join(root, "var/lib"), 0o755);
        home = makeTempDir("rolepair-ssmhome-");
        target = makeTempDir("rolepair-ssmtarget-");
        fs.writeFileSync(path.join(target, "keep"), "x");
        fs.chmodSync(target, 0o755);
    });
    afterEach(() => {
        removeTempDir(root);
        removeTempDir(home);
        removeTempDir(target);
    });

    it("ignores a link ec2-user planted at the old ~/.rolepair-ssm: every script runs, the link and its target untouched", () => {
        const old = path.join(home, ".rolepair-ssm");
        fs.symlinkSync(target, old);
        fs.mkdirSync(path.join(home, ".rolepair-ssm-dir"));
        const before = { mode: fs.statSync(target).mode, entries: snapshot(target) };
        for (const script of scripts()) {
            assert.doesNotMatch(script, /rolepair-ssm"|ROLEPAIR_HOST_HOME|\/home\/ec2-user/);
            const result = run(script);
            assert.strictEqual(result.status, 0, result.stderr);
        }
        assert.deepStrictEqual(
            { mode: fs.statSync(target).mode, entries: snapshot(target) },
            before,
        );
        assert.ok(fs.lstatSync(old).isSymbolicLink());
        assert.deepStrictEqual(fs.readdirSync(home).sort(), [".rolepair-ssm", ".rolepair-ssm-dir"]);
        // The run removed its stage.
        assert.deepStrictEqual(fs.readdirSync(base()), []);
    });

    it("makes the base root's (755, 711), the run's directory 700, and no other user may write or list there", () => {
        const result = run(delivery.partScripts[0]);
        assert.strictEqual(result.status, 0, result.stderr);
        const modes = [
            "var/lib/rolepair",
            "var/lib/rolepair/ssm",
            `var/lib/rolepair/ssm/${delivery.runId}`,
        ]
            .map((p) => fs.lstatSync(path.join(root, p)))
            .map((s) => [s.isDirectory(), s.uid, s.gid, s.mode & 0o7777]);
        assert.deepStrictEqual(modes, [
            [true, 0, 0, 0o755],
            [true, 0, 0, 0o711],
            [true, 0, 0, 0o700],
        ]);
        assert.ok(fs.existsSync(path.join(base(), delivery.runId, "verify.js.part-000")));
        // An unprivileged user can neither put a name in the base nor list it.
        const asUser = (command: string) =>
            spawnSync(
                "setpriv",
                [
                    "--reuid",
                    String(userId),
                    "--regid",
                    String(userId),
                    "--clear-groups",
                    "--",
                    "sh",
                    "-c",
                    command,
                ],
                { encoding: "utf8", env: { PATH: process.env.PATH, B: base() } },
            );
        const plant = asUser('ln -s /etc "$B/planted" || mkdir "$B/planted"');
        assert.notStrictEqual(plant.status, 0);
        assert.match(plant.stderr, /Permission denied/);
        assert.notStrictEqual(asUser('ls "$B"').status, 0);
        assert.notStrictEqual(asUser(`ls "$B/${delivery.runId}"`).status, 0);
        assert.deepStrictEqual(fs.readdirSync(base()), [delivery.runId]);
    });

    it("refuses a link at a stage path in every script, leaving its target untouched", () => {
        for (const at of [
            "var/lib/rolepair",
            "var/lib/rolepair/ssm",
            `var/lib/rolepair/ssm/${delivery.runId}`,
        ]) {
            fs.rmSync(path.join(root, "var/lib/rolepair"), { recursive: true, force: true });
            const link = path.join(root, at);
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(target, link);
            const before = { mode: fs.statSync(target).mode, entries: snapshot(target) };
            for (const script of scripts()) {
                const result = run(script);
                assert.strictEqual(result.status, hostExitCodes.stageRefused, result.stderr);
                assert.strictEqual(
                    result.stderr.trim(),
                    `rolepair-ssm: ${link} is a symbolic link; refused (only root makes the stage under /var/lib/rolepair/ssm: remove it and run again)`,
                );
            }
            assert.deepStrictEqual(
                { mode: fs.statSync(target).mode, entries: snapshot(target) },
                before,
            );
            assert.ok(fs.lstatSync(link).isSymbolicLink());
        }
    });

    it("refuses a run's directory that is a file, and a run directory already there", () => {
        fs.mkdirSync(base(), { recursive: true });
        const stage = path.join(base(), delivery.runId);
        fs.writeFileSync(stage, "");
        for (const script of scripts()) {
            const result = run(script);
            assert.strictEqual(result.status, hostExitCodes.stageRefused, result.stderr);
            assert.match(result.stderr, new RegExp(`${stage} is not a directory; refused`));
        }
        fs.rmSync(stage);
        assert.strictEqual(run(delivery.partScripts[0]).status, 0);
        fs.mkdirSync(path.join(stage, "run"));
        const again = run(runOnly());
        assert.strictEqual(again.status, hostExitCodes.stageRefused, again.stderr);
        assert.match(again.stderr, new RegExp(`${stage}/run is already there; refused`));
    });

    it("delivers an extra file in parts of its own, refusing it when a part was changed in transit", () => {
        const extra = planDelivery(Buffer.from("console.log('x')\n"), "fedcba9876543210", [
            { name: "credential-agent.js", content: "agent program\n" },
        ]);
        assert.deepStrictEqual(extra.partFiles, ["verify.js", "credential-agent.js"]);
        assert.deepStrictEqual(
            extra.files.map((f) => f.name),
            ["verify.js", "credential-agent.js"],
        );
        const script = runScript({
            delivery: extra,
            wrapperSource: "",
            planJson: "[]",
            region: "us-east-1",
            profileSync: `cmp "$run/credential-agent.js" - <<'X'\nagent program\nX`,
        });
        for (const part of extra.partScripts) assert.strictEqual(run(part).status, 0);
        const ok = run(script);
        assert.strictEqual(ok.status, 0, ok.stderr);
        // The same again, one base64 character of the agent's part changed.
        for (const part of extra.partScripts) {
            const changed = part.endsWith('credential-agent.js.part-000"')
                ? part.replace(
                      /(printf '%s' '.{5})(.)/s,
                      (_, head: string, c: string) => head + (c === "A" ? "B" : "A"),
                  )
                : part;
            assert.strictEqual(run(changed).status, 0);
        }
        const bad = run(script);
        assert.strictEqual(bad.status, hostExitCodes.checksumMismatch, bad.stderr);
        assert.match(bad.stderr, /checksum mismatch for credential-agent\.js\.gz\.b64/);
        assert.throws(
            () => planDelivery(Buffer.from(""), undefined, [{ name: "../x", content: "" }]),
            /refused file name "\.\.\/x"/,
        );
    });

    it("lets ec2-user read and run its files, root's still, and write none of them", () => {
        // Shims: ec2-user exists with uid and gid 65534, and sudo -u ec2-user runs as it.
        const shims = makeTempDir("rolepair-ssmshims-");
        try {
            const realId = spawnSync("sh", ["-c", "command -v id"], {
                encoding: "utf8",
            }).stdout.trim();
            fs.writeFileSync(
                path.join(shims, "id"),
                `#!/bin/sh\ncase "$*" in ec2-user) exit 0;; "-g ec2-user") echo ${userId};; *) exec ${realId} "$@";; esac\n`,
                { mode: 0o755 },
            );
            fs.writeFileSync(
                path.join(shims, "sudo"),
                `#!/bin/sh\n[ "$1 $2 $3 $4" = "-u ec2-user -H --" ] || exit 99\nshift 4\nexec setpriv --reuid ${userId} --regid ${userId} --clear-groups -- "$@"\n`,
                { mode: 0o755 },
            );
            for (const script of delivery.partScripts) assert.strictEqual(run(script).status, 0);
            const wrapper = [
                "const fs = require('fs');",
                "const [verify, , plan] = process.argv.slice(2);",
                "let write = 'allowed';",
                "try { fs.writeFileSync(verify, ''); } catch (e) { write = e.code; }",
                "let create = 'allowed';",
                "try { fs.writeFileSync(verify + '.new', ''); } catch (e) { create = e.code; }",
                "const s = fs.statSync(verify);",
                "console.log(JSON.stringify({ uid: process.getuid(), plan: fs.readFileSync(plan, 'utf8'), verify: fs.readFileSync(verify, 'utf8'), owner: s.uid, mode: s.mode & 0o777, write, create }));",
            ].join("\n");
            const result = run(runOnly(wrapper), `${shims}:`);
            assert.strictEqual(result.status, 0, result.stderr);
            assert.deepStrictEqual(JSON.parse(result.stdout), {
                uid: userId,
                plan: "[]",
                verify: "console.log('x')\n",
                owner: 0,
                mode: 0o640,
                write: "EACCES",
                create: "EACCES",
            });
        } finally {
            removeTempDir(shims);
        }
    });
});
