// `tsc` in a project, as its user runs it (the project's own typescript), with the result kept in
// a ResultCache: the compiler lists every file its program read (--listFiles) and every file it
// wrote (--listEmittedFiles), so a warm run whose files all have the same content gets the same
// diagnostics and the same emitted files back without parsing @pulumi/aws's declarations again.
import { execFile } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { promisify } from "util";

import { installedPackages, ResultCache } from "./resultCache";

const run = promisify(execFile);

export interface TypeCheckOptions {
    /** The cache entry's name. */
    use: string;
    /** The directory with tsconfig.json, package.json and node_modules: tsc's working directory. */
    project: string;
    /** What paths are recorded relative to: the project, or a copied tree around it. */
    root: string;
    /** tsc's arguments (`-p .`, `--noEmit` ...). */
    args: string[];
    /** Files tsc reads but does not list (its tsconfig.json). */
    configFiles: string[];
    /** More of the key: what else the result depends on that is no file tsc lists. */
    key?: string[];
    env?: NodeJS.ProcessEnv;
}

export interface TypeCheckResult {
    /** tsc's diagnostics as it prints them with --pretty false; "" when there are none. */
    output: string;
    /** Whether this came from an earlier run over the same files. */
    cached: boolean;
}

interface Saved {
    output: string;
    /** Path relative to the root → content, of each file tsc wrote. */
    emitted: Record<string, string>;
}

export async function typeCheck(options: TypeCheckOptions): Promise<TypeCheckResult> {
    const { project, root } = options;
    const tsc = createRequire(path.join(project, "package.json")).resolve("typescript/bin/tsc");
    const cache = new ResultCache<Saved>(options.use, root, [
        ...options.args,
        ...(options.key ?? []),
        ...installedPackages(project),
    ]);
    const saved = cache.lookup();
    if (saved !== undefined) {
        for (const [file, content] of Object.entries(saved.emitted)) {
            const full = path.resolve(root, file);
            fs.mkdirSync(path.dirname(full), { recursive: true });
            fs.writeFileSync(full, content);
        }
        return { output: saved.output, cached: true };
    }

    const args = [tsc, ...options.args, "--pretty", "false", "--listFiles", "--listEmittedFiles"];
    const stdout = await run(process.execPath, args, { cwd: project, env: options.env }).then(
        (r) => r.stdout,
        (e: { stdout?: string; code?: unknown; message: string }) => {
            // tsc exits 1 or 2 when it reports errors; anything else is no result to keep.
            if (e.code !== 1 && e.code !== 2)
                throw new Error(`tsc ${args.join(" ")}: ${e.message}`);
            return e.stdout ?? "";
        },
    );
    const lines = stdout.split("\n");
    const emitted = lines.filter((l) => l.startsWith("TSFILE: ")).map((l) => l.slice(8));
    const read = new Set(lines.filter((l) => path.isAbsolute(l) && fs.existsSync(l)));
    if (read.size === 0) throw new Error(`tsc ${args.join(" ")} listed no files:\n${stdout}`);
    const output = lines
        .filter((l) => l !== "" && !l.startsWith("TSFILE: ") && !read.has(l))
        .join("\n");
    cache.save([...read, ...options.configFiles], {
        output,
        emitted: Object.fromEntries(
            emitted.map((f) => [path.relative(root, f), fs.readFileSync(f, "utf8")]),
        ),
    });
    return { output, cached: false };
}
