// Warm runs of the package layer reuse the result of a deterministic check (a type-check, the
// schema analyzer) that read exactly the same files as an earlier run: most of its CPU is parsing
// @pulumi/aws's declarations, thousands of files that did not change. An entry holds the SHA-256
// of every file the check read (the compiler's own list of its program's files) and is given back
// only while every one of them has that content; its key holds what is not a file the check read
// (its arguments, the installed packages' names and versions, the project's file names). So an
// edited component, declaration, example or tsconfig, an added file, or another package version
// runs the check again. CI=true and ROLEPAIR_FRESH_INSTALL=1 run every check from scratch and
// keep nothing. The entries sit beside the install cache (`~/.cache/rolepair-test/results`).
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { freshInstallRequired, testCacheRoot } from "./installCache";

/** Entries kept per use: one per checkout that runs the layer, a few checkouts at a time. */
const entriesPerUse = 8;

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * "name@version" of every package at the top of `dir`/node_modules, sorted. tsc loads every
 * `@types` package it finds there, and module resolution depends on which packages exist, so a
 * package added, removed or upgraded is another key, although no file read before changed.
 */
export function installedPackages(dir: string): string[] {
    const modules = path.join(dir, "node_modules");
    const names = fs
        .readdirSync(modules)
        .filter((n) => !n.startsWith("."))
        .flatMap((n) =>
            n.startsWith("@") ? fs.readdirSync(path.join(modules, n)).map((m) => `${n}/${m}`) : [n],
        );
    return names
        .map((name) => {
            const manifest = path.join(modules, name, "package.json");
            const version = fs.existsSync(manifest)
                ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string }).version
                : undefined;
            return `${name}@${version ?? "?"}`;
        })
        .sort();
}

interface Entry<T> {
    /** Path relative to the root → SHA-256 of the content the check read. */
    inputs: Record<string, string>;
    result: T;
}

export class ResultCache<T> {
    private readonly dir: string;
    private readonly file: string;

    /**
     * `use` names the check; `root` is the directory the read files are recorded relative to (a
     * temporary project's path differs on every run); `key` is every input that is not a file the
     * check reports reading.
     */
    constructor(
        use: string,
        private readonly root: string,
        key: string[],
    ) {
        const hash = createHash("sha256");
        for (const part of [...key, process.version, process.platform, process.arch])
            hash.update(`${part.length}:${part}`);
        this.dir = path.join(testCacheRoot(), "results", use);
        this.file = path.join(this.dir, `${hash.digest("hex").slice(0, 32)}.json`);
    }

    /**
     * The result saved under this key, when every file it read still has the content it had;
     * undefined otherwise, and always when a fresh run is required (CI).
     */
    lookup(): T | undefined {
        if (freshInstallRequired() || !fs.existsSync(this.file)) return undefined;
        let entry: Entry<T>;
        try {
            entry = JSON.parse(fs.readFileSync(this.file, "utf8")) as Entry<T>;
        } catch {
            return undefined;
        }
        const inputs = Object.entries(entry.inputs ?? {});
        if (inputs.length === 0) return undefined;
        for (const [file, hash] of inputs) {
            const full = path.resolve(this.root, file);
            if (!fs.existsSync(full) || sha256(fs.readFileSync(full)) !== hash) return undefined;
        }
        return entry.result;
    }

    /** Keeps `result` with the content of every file in `inputs` (absolute paths), unless CI. */
    save(inputs: string[], result: T): void {
        if (freshInstallRequired()) return;
        const entry: Entry<T> = { inputs: {}, result };
        for (const file of [...new Set(inputs)].sort())
            entry.inputs[path.relative(this.root, file)] = sha256(fs.readFileSync(file));
        fs.mkdirSync(this.dir, { recursive: true });
        // Written whole, then renamed: a concurrent lookup reads the old entry or the new one.
        const staging = `${this.file}.${process.pid}`;
        fs.writeFileSync(staging, JSON.stringify(entry));
        fs.renameSync(staging, this.file);
        const older = fs
            .readdirSync(this.dir)
            .filter((n) => /^[0-9a-f]{32}\.json$/.test(n))
            .map((n) => ({ n, at: fs.statSync(path.join(this.dir, n)).mtimeMs }))
            .sort((a, b) => b.at - a.at)
            .slice(entriesPerUse);
        for (const { n } of older) fs.rmSync(path.join(this.dir, n), { force: true });
    }
}
