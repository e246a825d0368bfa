// The demo's flags: --help, --full-command, --broken-grant; anything else a usage error naming it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

import { UsageError } from "../../contract/usageError";
import { demoUsage, parseDemoFlags } from "../../scripts/demoFlags";
import { machineNode } from "../support/machineNode";

describe("the demo's flags", () => {
    it("with none runs the correct demo with the short command line", () => {
        assert.deepStrictEqual(parseDemoFlags([]), {
            help: false,
            fullCommand: false,
            brokenGrant: false,
        });
    });

    it("reads --help, -h, --full-command and --broken-grant", () => {
        assert.strictEqual(parseDemoFlags(["--help"]).help, true);
        assert.strictEqual(parseDemoFlags(["-h"]).help, true);
        assert.deepStrictEqual(parseDemoFlags(["--broken-grant", "--full-command"]), {
            help: false,
            fullCommand: true,
            brokenGrant: true,
        });
    });

    it("rejects an unknown flag, naming it and what is accepted", () => {
        assert.throws(
            () => parseDemoFlags(["--full-command", "--brokengrant"]),
            (error: unknown) =>
                error instanceof UsageError &&
                error.flag === "--brokengrant" &&
                /accepted: --full-command, --broken-grant, --help/.test(error.message),
        );
    });
});

// As a person types it: the answer comes before the demo's set-up and build, which take a minute
// on a fresh clone. npm prints "> <package> build" when a build starts.
describe("npm run demo, answering before its set-up", function () {
    this.timeout(60_000);
    const root = path.join(__dirname, "..", "..");
    const demo = (flag: string) =>
        spawnSync("npm", ["run", "demo", "--", flag], { cwd: root, encoding: "utf8" });
    const built = /^> \S+ build$/m;

    it("--help prints the usage and exits 0, with no set-up or build", () => {
        const ran = demo("--help");
        assert.strictEqual(ran.status, 0, ran.stderr);
        assert.ok(ran.stdout.includes(demoUsage), ran.stdout);
        assert.doesNotMatch(ran.stdout, built);
    });

    it("a bad flag is a usage error naming it (exit 2), with no set-up or build", () => {
        const ran = demo("--brokengrant");
        assert.strictEqual(ran.status, 2, ran.stdout + ran.stderr);
        assert.match(ran.stderr, /--brokengrant/);
        assert.doesNotMatch(ran.stdout, built);
    });

    // A new shell on an old machine Node, the set-up line not sourced in it: one message naming
    // the Node needed and the line that brings it, before moto is installed or started.
    it("on a Node older than 22 says which one and how to get it (exit 3), before any set-up", function () {
        const old = machineNode();
        // A machine whose own Node is supported has no older Node to try it with.
        if (old === undefined || old.major >= 22) this.skip();
        const ran = spawnSync("npm", ["run", "demo"], {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, PATH: `${path.dirname(old!.binary)}:${process.env.PATH ?? ""}` },
        });
        assert.strictEqual(ran.status, 3, ran.stdout + ran.stderr);
        assert.match(
            ran.stderr,
            new RegExp(`needs Node\\.js 22 or newer; this shell's is ${old!.version}`),
        );
        assert.match(ran.stderr, /\. scripts\/node-runtime\.sh/);
        assert.doesNotMatch(ran.stdout, built);
        assert.doesNotMatch(ran.stdout + ran.stderr, /moto|Starting the AWS emulator/);
    });
});
