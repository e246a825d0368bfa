// Help names the command the user typed: the npm bin's name through node_modules/.bin (a link
// named like the bin), `node <path>` when the bundle is run directly.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { commandName } from "../../../verify/cli/commandName";

const root = path.resolve(__dirname, "../../..");
const packageBins = (
    JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
        bin: Record<string, string>;
    }
).bin;

describe("commandName", () => {
    it("is the bin's name when argv[1] is the npm bin link", () => {
        assert.strictEqual(
            commandName(
                "rolepair-verify",
                "verify.js",
                "/p/node_modules/.bin/rolepair-verify",
                "/p",
            ),
            "rolepair-verify",
        );
    });
    it("is node and the path from here when argv[1] is the bundle", () => {
        assert.strictEqual(
            commandName("rolepair-verify", "verify.js", "/p/dist/verify.js", "/p"),
            "node dist/verify.js",
        );
        assert.strictEqual(
            commandName("rolepair-verify", "verify.js", "/tmp/x/verify.js", "/p"),
            "node /tmp/x/verify.js",
        );
    });
    it("is node dist/<bundle> under a test runner or ts-node", () => {
        assert.strictEqual(
            commandName("rolepair-verify", "verify.js", "/p/node_modules/.bin/mocha", "/p"),
            "node dist/verify.js",
        );
    });
});

describe("every bin's help names the command typed (built bundles)", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => (dir = makeTempDir("rolepair-bin-names-")));
    after(() => removeTempDir(dir));

    for (const [bin, target] of Object.entries(packageBins)) {
        it(`${bin}: through a link named ${bin}, and as node ${target}`, async () => {
            const link = path.join(dir, bin);
            fs.symlinkSync(path.join(root, target), link);
            const help = (script: string) => {
                const r = spawnSync(process.execPath, [script, "--help"], {
                    cwd: root,
                    env: { PATH: path.dirname(process.execPath), HOME: dir },
                    encoding: "utf8",
                    timeout: 60_000,
                });
                assert.strictEqual(r.status, 0, r.stderr);
                return r.stdout;
            };
            const linked = help(link);
            assert.match(linked, new RegExp(`^Usage: ${bin} `));
            assert.doesNotMatch(linked, /node \S+\.js/);
            assert.match(help(target), new RegExp(`^Usage: node ${target.replace(".", "\\.")} `));
        });
    }
});
