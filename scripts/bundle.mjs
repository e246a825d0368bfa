// Bundles the verify CLI into one file that runs with plain `node` (no node_modules on the host),
// and the operator-side tools beside it: the SSM runner that can deliver it, and the host-key
// reader that lets SSH pin the host.
//
// `--metafile <path>` also writes what was built and from what: { outputs: [file...], inputs:
// esbuild's metafile inputs (each first-party file's imports) }. pulumi-package/install.mjs checks
// every output exists after a plugin install; test/package derives the packages the bundles need,
// with `--no-write` too: everything is built in memory and dist/ is left as it is (another test may
// be packing it at the same time).
import { copyFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "module";

const require = createRequire(import.meta.url);
const { isUpToDate, writeStamp } = require("./bundleStamp.cjs");
const { minimumNode: minimumNodeOf } = require("./minimumNode.cjs");

// Build once unless something changed (scripts/bundleStamp.cjs); --force builds regardless.
const stampPath = "dist/.bundle-stamp.json";
const buildInputs = [
    "scripts/bundle.mjs",
    "scripts/bundleStamp.cjs",
    "scripts/minimumNode.cjs",
    "package-lock.json",
    "package.json",
    "tsconfig.json",
];
// --metafile needs a build to report on, so it builds regardless too.
if (
    !process.argv.includes("--force") &&
    !process.argv.includes("--metafile") &&
    isUpToDate(".", stampPath, buildInputs)
) {
    console.log("dist/: up to date (no input changed since the last build; --force rebuilds)");
    process.exit(0);
}
const inputs = [...buildInputs];
const outputs = [];

const write = !process.argv.includes("--no-write");
const metafileFlag = process.argv.indexOf("--metafile");
const metafilePath = metafileFlag === -1 ? undefined : process.argv[metafileFlag + 1];
const built = { outputs: [], inputs: {} };

/** Records one build's outputs and inputs for --metafile. */
function record(outfile, metafile) {
    if (outfile !== undefined) built.outputs.push(outfile);
    Object.assign(built.inputs, metafile.inputs);
}

// The oldest Node the programs run on (package.json's engines, read by scripts/minimumNode.cjs).
const minimumNode = minimumNodeOf();

/** One file, plain `node` (minimumNode or newer), no node_modules. */
const asOneFile = {
    bundle: true,
    platform: "node",
    target: `node${minimumNode}`,
    format: "cjs",
    // The AWS SDK ships ES modules beside its CommonJS builds: preferring them lets esbuild drop
    // the ~100 S3 commands verify never sends (0.64 → 0.46 MB, ~23 ms less parse at start-up).
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    write,
};

/**
 * Runs before any bundled module is evaluated (the bundle is CommonJS, its requires run in order
 * below the banner): on an older Node one line naming the Node needed, exit 2 (usage), and no AWS
 * SDK warning or stack trace from code that would not run there anyway.
 */
const nodeVersionGuard =
    `if(+process.versions.node.split(".")[0]<${minimumNode}){` +
    `process.stderr.write(require("path").basename(process.argv[1]||"rolepair")+` +
    `": needs Node.js ${minimumNode} or newer; this is "+process.version+"\\n");process.exit(2)}`;

/**
 * A program in dist/: run with `node dist/x.js` by the components and on the host, and as the
 * package's `bin` entries (`npx rolepair-verify`), which need the shebang. Node skips the line.
 */
async function bundle(entry, outfile, extra = {}) {
    const result = await build({
        ...asOneFile,
        banner: { js: `#!/usr/bin/env node\n"use strict";${nodeVersionGuard}` },
        entryPoints: [entry],
        outfile,
        metafile: true,
        ...extra,
    });
    inputs.push(...Object.keys(result.metafile.inputs));
    outputs.push(...Object.keys(result.metafile.outputs));
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB`);
    record(outfile, result.metafile);
}

await bundle("verify/host/proof/cli.ts", "dist/verify.js");

// The host's profile sync (verify/host/profileSync/cli.ts): the installer carries it to the host
// (contract/profileSync.ts), so the operator tools that run the installer have it inlined.
await bundle("verify/host/profileSync/cli.ts", "dist/profile-sync.js");
const profileSync = write
    ? readFileSync("dist/profile-sync.js", "utf8")
    : (
          await build({
              ...asOneFile,
              banner: { js: "#!/usr/bin/env node" },
              entryPoints: ["verify/host/profileSync/cli.ts"],
              write: false,
          })
      ).outputFiles[0].text;
const withProfileSync = { __ROLEPAIR_PROFILE_SYNC__: JSON.stringify(profileSync) };

// The SSM runner (verify/operator/ssm/cli.ts), with the on-host wrapper it delivers beside the verify
// bundle (verify/host/proof/ssmWrapper.ts) built first and inlined as a string.
const onHost = await build({
    ...asOneFile,
    entryPoints: ["verify/host/proof/ssmWrapper.ts"],
    write: false,
    metafile: true,
});
inputs.push(...Object.keys(onHost.metafile.inputs));
record(undefined, onHost.metafile);
await bundle("verify/operator/ssm/cli.ts", "dist/ssm-runner.js", {
    define: {
        __ROLEPAIR_ON_HOST_WRAPPER__: JSON.stringify(onHost.outputFiles[0].text),
        ...withProfileSync,
    },
});

// The host-key reader (verify/operator/hostKey/cli.ts): run on the operator's machine before any SSH.
await bundle("verify/operator/hostKey/cli.ts", "dist/host-key.js");

// prove (verify/operator/prove/cli.ts): re-runs the proof against a live stack from its outputs,
// over SSH or SSM (with the same on-host wrapper as the runner).
await bundle("verify/operator/prove/cli.ts", "dist/prove.js", {
    define: {
        __ROLEPAIR_ON_HOST_WRAPPER__: JSON.stringify(onHost.outputFiles[0].text),
        ...withProfileSync,
    },
});

// The credential agent (verify/host/agent/cli.ts) and its IMDS lock, shipped as is for `nft -f`.
await bundle("verify/host/agent/cli.ts", "dist/credential-agent.js");
{
    const lock = "verify/host/agent/imds-lock.nft";
    inputs.push(lock);
    if (write) copyFileSync(lock, "dist/imds-lock.nft");
    outputs.push("dist/imds-lock.nft");
    built.outputs.push("dist/imds-lock.nft");
}

// The component package's plugin entry (pulumi-package/plugin.cjs loads it): the components as
// one CommonJS file, their npm dependencies left to node_modules. The Node.js language host runs
// a plugin's TypeScript through ts-node with type checking on, which checks the components against
// @pulumi/aws's declarations (31 MB) on every start of the plugin, i.e. every preview and up; run
// compiled, the plugin starts without that. The type check happens where the code is built
// (`npm run build`, CI). In dist/plugin/, so that it is not in the npm package (files: dist/*.js)
// and the components still find the package root above it (components/packageRoot.ts).
{
    const outfile = "dist/plugin/index.js";
    const result = await build({
        entryPoints: ["pulumi-package/index.ts"],
        outfile,
        bundle: true,
        packages: "external",
        platform: "node",
        target: "node20",
        format: "cjs",
        // The plugin host finds the components by their class names (getPulumiComponents, and
        // the schema's resource tokens): bundling must not rename them.
        keepNames: true,
        // run-plugin installs source-map-support: stack traces name the .ts sources.
        sourcemap: true,
        logLevel: "warning",
        metafile: true,
        write,
    });
    inputs.push(...Object.keys(result.metafile.inputs));
    outputs.push(...Object.keys(result.metafile.outputs));
    console.log(`${outfile}: ${(result.metafile.outputs[outfile].bytes / 1024).toFixed(0)} KiB`);
    record(outfile, result.metafile);
}

if (write) writeStamp(".", stampPath, inputs, outputs);
if (metafilePath !== undefined) writeFileSync(metafilePath, JSON.stringify(built));
