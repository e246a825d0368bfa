// The npm packages the component package really needs, from the code's own import graph: what the
// plugin loads (pulumi-package/index.ts and every first-party file it reaches, type-only imports
// included, since the plugin host type-checks them with ts-node), what scripts/bundle.mjs bundles
// into dist/ (esbuild's metafile of the real build), and what the install script itself imports.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";

import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { packageDir, repoRoot } from "../analyze";

/**
 * Needed although nothing imports them: the plugin host (`@pulumi/pulumi/cmd/run-plugin`) loads
 * the entry with the project's ts-node and typescript, and the tsconfig's `types: ["node"]` needs
 * @types/node to type-check.
 */
export const pluginHostTools = ["ts-node", "typescript", "@types/node"];

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; relative, absolute and builtins → undefined. */
export function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith(".") || path.isAbsolute(specifier)) return undefined;
    if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]))
        return undefined;
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

const firstParty = (file: string) => !file.split(path.sep).includes("node_modules");

/** A relative import's file: `x.ts`, `x/index.ts` or `x` itself (`x.mjs`). */
function resolveRelative(from: string, specifier: string): string {
    const base = path.resolve(path.dirname(from), specifier);
    const candidate = [`${base}.ts`, path.join(base, "index.ts"), base].find(
        (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
    );
    if (candidate === undefined) throw new Error(`${from}: cannot resolve ${specifier}`);
    return candidate;
}

/**
 * Packages imported by the first-party files the plugin loads, from the entry along relative
 * imports (type-only ones too: ts-node type-checks them), plus the install script and the bundler
 * it runs.
 */
export function pluginImports(): Map<string, string[]> {
    const pending = [
        path.join(packageDir, "index.ts"),
        path.join(packageDir, "install.mjs"),
        path.join(repoRoot, "scripts", "bundle.mjs"),
    ];
    const seen = new Map<string, string[]>();
    while (pending.length > 0) {
        const file = pending.pop()!;
        if (seen.has(file)) continue;
        const specifiers = importsOf(file);
        seen.set(file, specifiers);
        for (const specifier of specifiers) {
            if (specifier.startsWith(".")) pending.push(resolveRelative(file, specifier));
        }
    }
    return byPackage([...seen.entries()]);
}

/** What `scripts/bundle.mjs --metafile` reports: the files it built and their first-party inputs' imports. */
export function bundleGraph(): { outputs: string[]; imports: Map<string, string[]> } {
    const work = makeTempDir("rolepair-bundles-");
    try {
        const metafile = path.join(work, "bundles.json");
        execFileSync(
            process.execPath,
            ["scripts/bundle.mjs", "--metafile", metafile, "--no-write"],
            {
                cwd: repoRoot,
                stdio: ["ignore", "ignore", "inherit"],
            },
        );
        const built = JSON.parse(fs.readFileSync(metafile, "utf8")) as {
            outputs: string[];
            inputs: Record<string, { imports: { original?: string }[] }>;
        };
        const entries = Object.entries(built.inputs)
            .filter(([file]) => firstParty(file))
            .map(([file, input]): [string, string[]] => [
                path.join(repoRoot, file),
                input.imports.flatMap((i) => (i.original === undefined ? [] : [i.original])),
            ]);
        return { outputs: built.outputs, imports: byPackage(entries) };
    } finally {
        removeTempDir(work);
    }
}

/** Package name → the first-party files (relative to the repository) that import it. */
function byPackage(entries: [string, string[]][]): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const [file, specifiers] of entries) {
        for (const specifier of specifiers) {
            const name = packageOf(specifier);
            if (name === undefined) continue;
            const importers = result.get(name) ?? [];
            const relativeFile = path.relative(repoRoot, file);
            if (!importers.includes(relativeFile)) importers.push(relativeFile);
            result.set(name, importers);
        }
    }
    return result;
}
