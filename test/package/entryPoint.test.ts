// One public entry: the npm package's exports are components/index.ts compiled, and the stack
// program in this repository imports the components only through that same module, so it uses
// nothing a user of the package cannot. (Not `from "rolepair"`: under ts-node that self-reference
// would load the compiled lib/, not the source being edited, and would need node16 resolution.)
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";

const repoRoot = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

/** The module specifiers a TypeScript file imports or re-exports from. */
function importedModules(file: string): string[] {
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.ES2022);
    return source.statements
        .filter((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s))
        .map((s) => (s as ts.ImportDeclaration).moduleSpecifier)
        .filter((m): m is ts.StringLiteral => m !== undefined && ts.isStringLiteral(m))
        .map((m) => m.text);
}

describe("the package's entry point", () => {
    const pkg = JSON.parse(read("package.json"));
    // tsconfig files are JSON with comments.
    const build = ts.parseConfigFileTextToJson(
        "tsconfig.build.json",
        read("tsconfig.build.json"),
    ).config;

    it("is components/index.ts compiled to lib/, with its declarations", () => {
        assert.deepStrictEqual(build.files, ["components/index.ts"]);
        assert.strictEqual(build.compilerOptions.outDir, "lib");
        assert.strictEqual(build.compilerOptions.rootDir, ".");
        assert.strictEqual(build.compilerOptions.declaration, true);
        assert.deepStrictEqual(pkg.exports["."], {
            types: "./lib/components/index.d.ts",
            default: "./lib/components/index.js",
        });
        assert.strictEqual(pkg.main, "lib/components/index.js");
        assert.strictEqual(pkg.types, "lib/components/index.d.ts");
    });

    it("is what the stack program imports the components through, and nothing deeper", () => {
        assert.deepStrictEqual(importedModules("index.ts").sort(), [
            "./components",
            "@pulumi/pulumi",
        ]);
    });

    it("is not what `pulumi up` runs: Pulumi.yaml names the stack program", () => {
        // Without main, the nodejs host would run package.json's exports, i.e. the library.
        assert.strictEqual(parseYaml(read("Pulumi.yaml")).main, "index.ts");
    });
});
