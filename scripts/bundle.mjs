// Bundles the verify CLI into one file that runs with plain `node` (no node_modules on the host).
import { build } from "esbuild";

const result = await build({
    entryPoints: ["verify/cli.ts"],
    outfile: "dist/verify.js",
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/verify.js: ${(bytes / 1024).toFixed(0)} KiB`);
