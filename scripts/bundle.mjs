// Bundles the verify CLI into one file that runs with plain `node` (no node_modules on the host).
import { build } from "esbuild";

const result = await build({
    entryPoints: ["verify/cli.ts"],
    outfile: "dist/verify.js",
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    // The AWS SDK ships ES modules beside its CommonJS builds: preferring them lets esbuild drop
    // the ~100 S3 commands verify never sends (0.64 → 0.45 MB, ~23 ms less parse at start-up).
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/verify.js: ${(bytes / 1024).toFixed(0)} KiB`);

// The operator-side SSM runner (verify/ssm/cli.ts), with the on-host wrapper it delivers beside
// the verify bundle (verify/ssm/onHost.ts) built first and inlined as a string.
const onHost = await build({
    entryPoints: ["verify/ssm/onHost.ts"],
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
});
const runner = await build({
    entryPoints: ["verify/ssm/cli.ts"],
    outfile: "dist/ssm-runner.js",
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    define: { __ROLEPAIR_ON_HOST_WRAPPER__: JSON.stringify(onHost.outputFiles[0].text) },
});
const runnerBytes = Object.values(runner.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/ssm-runner.js: ${(runnerBytes / 1024).toFixed(0)} KiB`);
