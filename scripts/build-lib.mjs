// Compiles the components to lib/ (the npm package's entry and declarations) with
// tsconfig.build.json, once unless something changed: `npm run build` builds lib/, and `npm pack`'s
// prepack and the package layer's `npm run prepack` would compile it all again (about 12 s
// of CPU, most of it parsing @pulumi/aws's declarations). The stamp (scripts/bundleStamp.cjs, as
// for dist/) records the SHA-256 of every file the compiler read and of every file it wrote; the
// build is skipped only when all of them are unchanged. A build starts from an empty lib/, so a
// removed source leaves no stale output behind. --force builds regardless.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, relative } from "node:path";

const require = createRequire(import.meta.url);
const { isUpToDate, writeStamp } = require("./bundleStamp.cjs");

const stampPath = "lib/.build-stamp.json";
const buildInputs = [
    "scripts/build-lib.mjs",
    "scripts/bundleStamp.cjs",
    "tsconfig.build.json",
    "tsconfig.json",
    "package-lock.json",
];
if (!process.argv.includes("--force") && isUpToDate(".", stampPath, buildInputs)) {
    console.log("lib/: up to date (no input changed since the last build; --force rebuilds)");
    process.exit(0);
}

rmSync("lib", { recursive: true, force: true });
const tsc = require.resolve("typescript/bin/tsc");
let output;
try {
    // --listFiles: every file the program read; --listEmittedFiles: "TSFILE: <path>" per output.
    output = execFileSync(
        process.execPath,
        [tsc, "-p", "tsconfig.build.json", "--listFiles", "--listEmittedFiles"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
} catch (error) {
    // The compiler's errors are on stdout, above the file lists: show them, not the lists.
    const lines = String(error.stdout ?? "").split("\n");
    console.error(lines.filter((l) => !l.startsWith("TSFILE: ") && !isAbsolute(l)).join("\n"));
    rmSync("lib", { recursive: true, force: true });
    process.exit(typeof error.status === "number" ? error.status : 1);
}
const lines = output.split("\n").filter((l) => l !== "");
const emitted = lines.filter((l) => l.startsWith("TSFILE: ")).map((l) => l.slice(8));
const read = lines.filter((l) => isAbsolute(l) && existsSync(l));
if (emitted.length === 0 || read.length === 0)
    throw new Error(`tsc -p tsconfig.build.json reported no files:\n${output}`);
const relativeTo = (files) => files.map((f) => relative(".", f));
writeStamp(".", stampPath, [...buildInputs, ...relativeTo(read)], relativeTo(emitted));
console.log(`lib/: ${emitted.length} files from ${read.length} inputs`);
