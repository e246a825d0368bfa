// Runs after `npm install` in this directory, which is what the Pulumi plugin host does when
// `pulumi package add ./pulumi-package` installs the package. Two things make the rest of the
// repository usable from here:
//
// 1. The entry re-exports ../components, which import ../verify. Node resolves their imports
//    (@pulumi/aws, @aws-sdk/...) from the repository root, where a plugin install has no
//    node_modules: link <repo>/node_modules to this package's, so there is one copy of each
//    dependency (one @pulumi/pulumi, the one the plugin host runs). In a development checkout the
//    root has its own node_modules and nothing is linked.
// 2. With verify on (the default), the components copy <repo>/dist/verify.js to the host, and the
//    operator runs the tools beside it (dist/ssm-runner.js, dist/host-key.js, ...): build every
//    bundle with the repository's own bundler, exactly as `npm run build` does, and check each
//    file it reports exists.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(packageDir);
const rootModules = join(repoRoot, "node_modules");
const ownModules = join(packageDir, "node_modules");

let rootExists = false;
try {
    lstatSync(rootModules);
    rootExists = true;
} catch {
    // No node_modules at the root: a plugin install.
}
if (!rootExists) {
    symlinkSync(relative(repoRoot, ownModules), rootModules, "dir");
    console.log(`rolepair: linked ${rootModules} -> ${ownModules}`);
} else if (!lstatSync(rootModules).isSymbolicLink()) {
    console.warn(
        `rolepair: ${rootModules} exists (a development checkout): the components will load the ` +
            "root's dependencies, not this package's. To run the package as a plugin, use a clean clone.",
    );
}

const work = mkdtempSync(join(tmpdir(), "rolepair-install-"));
try {
    const metafile = join(work, "bundles.json");
    execFileSync(
        process.execPath,
        [join(repoRoot, "scripts", "bundle.mjs"), "--metafile", metafile],
        { cwd: repoRoot, stdio: "inherit" },
    );
    const { outputs } = JSON.parse(readFileSync(metafile, "utf8"));
    const missing = outputs.filter((output) => !existsSync(join(repoRoot, output)));
    if (outputs.length === 0 || missing.length > 0) {
        throw new Error(
            `rolepair: scripts/bundle.mjs did not build ${missing.join(", ") || "anything"}`,
        );
    }
} finally {
    rmSync(work, { recursive: true, force: true });
}
