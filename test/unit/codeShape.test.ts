// Issue 27's "must hold" on the code's shape, checked on every unit run so a knot cannot grow back
// unnoticed, and held for all product code (components/, contract/, verify/, index.ts), not only
// components/: no function over 80 lines, no file over 400. A failure lists every offender.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

import { repoRoot } from "../../lab/program";

const maxFunctionLines = 80;
const maxFileLines = 400;

/** Every .ts file under `dir` (relative to the repository), sorted. */
function tsFiles(dir: string): string[] {
    return fs
        .readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts"))
        .map((file) => path.posix.join(dir, file.split(path.sep).join("/")))
        .sort();
}

function lineCount(text: string): number {
    return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}

/** A function's name as a reader finds it: its own, or the variable or property holding it. */
function functionName(node: ts.Node, source: ts.SourceFile): string {
    const named = node as ts.Node & { name?: ts.Node };
    if (named.name !== undefined) return named.name.getText(source);
    if (ts.isConstructorDeclaration(node)) return "constructor";
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
        return parent.name.getText(source);
    }
    return "(anonymous)";
}

/** Each function in `file` (nested ones too, inside their parent's count) longer than `max` lines. */
export function longFunctions(file: string, text: string, max: number): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
            const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
            const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
            const lines = end - start + 1;
            if (lines > max) {
                found.push(`${file}:${start + 1} ${functionName(node, source)}: ${lines} lines`);
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

describe("the code's shape (issue 27)", () => {
    const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

    const product = ["index.ts", ...["components", "contract", "verify"].flatMap(tsFiles)];

    it(`has no product function over ${maxFunctionLines} lines`, () => {
        assert.ok(product.filter((f) => f.startsWith("components/")).length > 10, product.join());
        const offenders = product.flatMap((file) =>
            longFunctions(file, read(file), maxFunctionLines),
        );
        assert.deepStrictEqual(offenders, []);
    });

    it(`has no product file over ${maxFileLines} lines`, () => {
        assert.ok(product.length > 50, product.join(", "));
        const offenders = product
            .map((file) => ({ file, lines: lineCount(read(file)) }))
            .filter(({ lines }) => lines > maxFileLines)
            .map(({ file, lines }) => `${file}: ${lines} lines`);
        assert.deepStrictEqual(offenders, []);
    });

    it("measures a function from its first line to its last, nested ones included", () => {
        const body = Array.from({ length: 5 }, (_, i) => `    const v${i} = ${i};`).join("\n");
        const text = `export function outer() {\n    const inner = () => {\n${body}\n    };\n}\n`;
        assert.deepStrictEqual(longFunctions("x.ts", text, 9), []);
        assert.deepStrictEqual(longFunctions("x.ts", text, 8), ["x.ts:1 outer: 9 lines"]);
        assert.deepStrictEqual(longFunctions("x.ts", text, 6), [
            "x.ts:1 outer: 9 lines",
            "x.ts:2 inner: 7 lines",
        ]);
    });
});
