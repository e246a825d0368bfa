// The warm-run cache of the package layer's deterministic checks (test/support/resultCache.ts,
// typeCheck.ts): a result comes back only while every file it read has the same content, for the
// same key, and never under CI=true.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { withIsolatedCacheHome } from "../../support/cacheHome";
import { ResultCache } from "../../support/resultCache";
import { typeCheck } from "../../support/typeCheck";
import { repoRoot } from "../analyze";

describe("the package layer's result cache", function () {
    const workDir = withIsolatedCacheHome("rolepair-result-cache-");

    function file(name: string, content: string): string {
        const full = path.join(workDir(), name);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
        return full;
    }

    it("gives a result back while every file it read is unchanged, for the same key only", function () {
        const a = file("tree/a.ts", "A");
        const b = file("tree/lib/b.d.ts", "B");
        const root = path.join(workDir(), "tree");
        new ResultCache("use", root, ["key 1"]).save([a, b], "result");
        assert.strictEqual(new ResultCache("use", root, ["key 1"]).lookup(), "result");
        assert.strictEqual(new ResultCache("use", root, ["key 2"]).lookup(), undefined);
        assert.strictEqual(new ResultCache("other", root, ["key 1"]).lookup(), undefined);

        // Recorded relative to the root: the same files in another directory (a new temporary
        // project) are the same inputs.
        fs.cpSync(root, path.join(workDir(), "copy"), { recursive: true });
        assert.strictEqual(
            new ResultCache("use", path.join(workDir(), "copy"), ["key 1"]).lookup(),
            "result",
        );

        fs.writeFileSync(b, "B changed");
        assert.strictEqual(new ResultCache("use", root, ["key 1"]).lookup(), undefined);
        fs.writeFileSync(b, "B");
        fs.rmSync(a);
        assert.strictEqual(new ResultCache("use", root, ["key 1"]).lookup(), undefined);
    });

    it("under CI=true keeps nothing and gives nothing back", function () {
        const a = file("tree/a.ts", "A");
        const root = path.join(workDir(), "tree");
        process.env.CI = "true";
        new ResultCache("use", root, []).save([a], "under CI");
        delete process.env.CI;
        assert.strictEqual(new ResultCache("use", root, []).lookup(), undefined);
        new ResultCache("use", root, []).save([a], "warm");
        process.env.ROLEPAIR_FRESH_INSTALL = "1";
        assert.strictEqual(new ResultCache("use", root, []).lookup(), undefined);
    });

    it("typeCheck: an unchanged project gets tsc's diagnostics and emitted files back; an edited one is checked again", async function () {
        const project = path.join(workDir(), "project");
        file("project/package.json", "{}");
        // No default library (lib.dom.d.ts alone costs seconds): the globals tsc needs, bare.
        file(
            "project/tsconfig.json",
            JSON.stringify({
                compilerOptions: { strict: true, outDir: "bin", noLib: true, types: [] },
            }),
        );
        const globals = ["Array<T>", "Boolean", "CallableFunction", "Function", "IArguments"];
        globals.push("NewableFunction", "Number", "Object", "RegExp", "String");
        file("project/globals.d.ts", globals.map((g) => `interface ${g} {}\n`).join(""));
        const source = file("project/index.ts", "export const n: number = 1;\n");
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"));
        const check = () =>
            typeCheck({
                use: "tsc",
                project,
                root: project,
                args: ["-p", "."],
                configFiles: [path.join(project, "tsconfig.json")],
            });

        assert.deepStrictEqual(await check(), { output: "", cached: false });
        fs.rmSync(path.join(project, "bin"), { recursive: true });
        assert.deepStrictEqual(await check(), { output: "", cached: true });
        assert.match(fs.readFileSync(path.join(project, "bin", "index.js"), "utf8"), /n = 1/);

        fs.writeFileSync(source, 'export const n: number = "one";\n');
        const edited = await check();
        assert.strictEqual(edited.cached, false);
        assert.match(edited.output, /^index\.ts\(1,14\): error TS2322: /);
        assert.deepStrictEqual(await check(), { ...edited, cached: true });
    });
});
