// The bundles are built once unless an input changed (scripts/bundleStamp.cjs): the stamp must
// say "up to date" only while every input and output has the content it had at the build.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { repoRoot } from "../../lab/program";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isUpToDate, writeStamp } = require("../../scripts/bundleStamp.cjs") as {
    isUpToDate(root: string, stampPath: string, extraInputs?: string[]): boolean;
    writeStamp(root: string, stampPath: string, inputs: string[], outputs: string[]): void;
};

describe("the bundle stamp (build once unless sources changed)", () => {
    let root: string;
    let stamp: string;
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    };
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-stamp-"));
        stamp = path.join(root, "stamp.json");
        write("verify/cli.ts", "export const a = 1;\n");
        write("node_modules/dep/index.js", "module.exports = 2;\n");
        write("scripts/bundle.mjs", "// build\n");
        write("dist/verify.js", "bundle v1\n");
        writeStamp(
            root,
            stamp,
            ["verify/cli.ts", "node_modules/dep/index.js", "scripts/bundle.mjs"],
            ["dist/verify.js"],
        );
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("is up to date right after a build, also when files are touched but not changed", () => {
        assert.strictEqual(isUpToDate(root, stamp, ["scripts/bundle.mjs"]), true);
        const later = new Date(Date.now() + 60_000);
        fs.utimesSync(path.join(root, "verify/cli.ts"), later, later);
        assert.strictEqual(isUpToDate(root, stamp, ["scripts/bundle.mjs"]), true);
    });

    const changes: [string, () => void][] = [
        ["a source changed", () => write("verify/cli.ts", "export const a = 2;\n")],
        ["a bundled dependency changed", () => write("node_modules/dep/index.js", "x\n")],
        ["the build script changed", () => write("scripts/bundle.mjs", "// build 2\n")],
        ["a source removed", () => fs.rmSync(path.join(root, "verify/cli.ts"))],
        ["an output removed", () => fs.rmSync(path.join(root, "dist/verify.js"))],
        ["an output edited", () => write("dist/verify.js", "bundle v0\n")],
        ["the stamp damaged", () => fs.writeFileSync(stamp, "{")],
        ["the stamp missing", () => fs.rmSync(stamp)],
    ];
    for (const [label, change] of changes) {
        it(`rebuilds when ${label}`, () => {
            change();
            assert.strictEqual(isUpToDate(root, stamp, ["scripts/bundle.mjs"]), false);
        });
    }

    it("rebuilds when the stamp does not cover a build input it must", () => {
        assert.strictEqual(isUpToDate(root, stamp, ["scripts/bundle.mjs", "tsconfig.json"]), false);
    });

    it("scripts/bundle.mjs skips a second build with nothing changed", function () {
        this.timeout(180_000);
        const run = () =>
            execFileSync(process.execPath, ["scripts/bundle.mjs"], {
                cwd: repoRoot,
                encoding: "utf8",
            });
        run();
        assert.match(run(), /^dist\/: up to date \(no input changed since the last build/);
        // What a change must invalidate is recorded: every entry point's sources and the wrapper.
        const recorded = Object.keys(
            JSON.parse(fs.readFileSync(path.join(repoRoot, "dist", ".bundle-stamp.json"), "utf8"))
                .inputs,
        );
        for (const source of [
            "verify/host/proof/cli.ts",
            "verify/host/proof/ssmWrapper.ts",
            "verify/operator/ssm/cli.ts",
            "verify/operator/hostKey/cli.ts",
            "contract/plan.ts",
            "package-lock.json",
        ])
            assert.ok(recorded.includes(source), source);
    });
});
