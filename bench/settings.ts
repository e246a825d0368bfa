// What the bench measures and with what, from the environment: BENCH_RUNS sets the runs per figure
// (default 10); BENCH_ONLY=model runs only the latency model, BENCH_ONLY=agent only the credential
// agent (its own BENCH_AGENT_* are in agent.ts); BENCH_MODEL_LATENCY_MS the model's latency per
// request (default 50), BENCH_MODEL_RUNS its runs per figure (default BENCH_RUNS);
// BENCH_VERIFY_BUNDLE measures another build of verify, BENCH_COMPARE_BUNDLE times a candidate
// build in the same loop; BENCH_TRACE_DUMP=1 prints every traced request of one run;
// BENCH_LAYERS=1 also times each npm test layer; BENCH_AGENT_PROOF=0 leaves out the proof with the
// agent on and off (agentProof.ts).
import { build } from "esbuild";
import * as path from "path";

import { bundlePath } from "../lab/verifyProcess";

export const runsEach = Number(process.env.BENCH_RUNS ?? 10);
export const fleetSizes = [1, 3, 10] as const;
export const root = path.join(__dirname, "..");
export const aws = path.join(root, ".venv", "bin", "aws");
// The bench's own bundles, in a folder of dist/ that the npm package does not take (files: dist/*.js).
export const floorBundle = path.join(root, "dist", "bench", "floor.js");
export const traceBundle = path.join(root, "dist", "bench", "trace.js");
export const sdkFloorBundle = path.join(root, "dist", "bench", "sdk-floor.js");
export const serviceFloorBundle = path.join(root, "dist", "bench", "service-floor.js");
export const verifyBundle = process.env.BENCH_VERIFY_BUNDLE ?? bundlePath;
export const compareBundle = process.env.BENCH_COMPARE_BUNDLE;
export const dumpTrace = process.env.BENCH_TRACE_DUMP === "1";
export const benchOnly = process.env.BENCH_ONLY;
export const modelLatencyMs = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 50);
export const modelRuns = Number(process.env.BENCH_MODEL_RUNS ?? runsEach);
export const timeLayers = process.env.BENCH_LAYERS === "1";
export const agentProof = process.env.BENCH_AGENT_PROOF !== "0";

export const helperBuild = {
    bundle: true,
    platform: "node" as const,
    target: "node20",
    minify: true,
    logLevel: "warning" as const,
};

/** The floor proof and the trace preload, bundled the way verify is. */
export async function bundleHelpers(): Promise<void> {
    for (const [entry, outfile] of [
        ["floor.ts", floorBundle],
        ["trace.ts", traceBundle],
    ]) {
        await build({ ...helperBuild, entryPoints: [path.join(__dirname, entry)], outfile });
    }
}
