// npm run bench: prints measured figures; no thresholds are asserted here (targets are printed
// beside the figures). First the latency model (modelReport.ts), then everything against one
// moto emulator on loopback (motoBench.ts), then verify's size and cold start, then the credential
// agent (agent.ts; BENCH_ONLY=agent runs only that). The environment variables that steer it are
// in settings.ts.
import "../lab/quietSdk";

import * as fs from "fs";
import * as os from "os";

import { measureAgent } from "./agent";
import { measureProofWithAgent } from "./agentProof";
import { printLatencyModel } from "./modelReport";
import { runMotoBench } from "./motoBench";
import { coldStartMs, layerSeconds } from "./processes";
import {
    agentProof,
    benchOnly,
    bundleHelpers,
    compareBundle,
    runsEach,
    timeLayers,
    verifyBundle,
} from "./settings";
import { Figure, ms, printMachine, printTable } from "./table";

/** verify's size and its cold start to the first request, beside a candidate build's. */
async function bundleFigures(): Promise<Figure[]> {
    const bundles = compareBundle ? [verifyBundle, compareBundle] : [verifyBundle];
    const coldStart = await coldStartMs(bundles);
    return [
        {
            what: "dist/verify.js size",
            value: `${(fs.statSync(verifyBundle).size / 1024 / 1024).toFixed(2)} MB`,
            target: "≤ 0.5 MB",
        },
        {
            what: `cold start to first request, median of ${runsEach}`,
            value: ms(coldStart.get(verifyBundle)!),
            target: "≤ 61 ms (the 2026-11-29 figure)",
        },
        ...(compareBundle
            ? [
                  {
                      what: `candidate ${compareBundle}: cold start to first request (runs alternating)`,
                      value: ms(coldStart.get(compareBundle)!),
                  },
              ]
            : []),
    ];
}

/** Each npm test layer's wall time, when BENCH_LAYERS=1 (layer times are measured on their own). */
async function layerFigures(): Promise<Figure[]> {
    const figures: Figure[] = [];
    for (const layer of ["unit", "policy", "emulator", "host", "reliability"]) {
        const { seconds, ok } = await layerSeconds(layer);
        figures.push({
            what: `npm test layer ${layer} wall time${ok ? "" : " (FAILED)"}`,
            value: `${seconds.toFixed(1)} s`,
            target: layer === "reliability" ? "(no target)" : "≤ 90 s",
        });
    }
    return figures;
}

async function printAgent(): Promise<void> {
    const figures = await measureAgent();
    if (agentProof) figures.push(...(await measureProofWithAgent()));
    console.log(
        `\nThe credential agent (dist/credential-agent.js, cached credentials), load ${os.loadavg()[0].toFixed(2)}:\n`,
    );
    printTable(figures);
}

async function main(): Promise<void> {
    printMachine();
    if (benchOnly === "agent") return printAgent();
    await printLatencyModel();
    if (benchOnly === "model") return;

    await bundleHelpers();
    const { figures, breakdown } = await runMotoBench();
    figures.push(...(await bundleFigures()));
    if (timeLayers) figures.push(...(await layerFigures()));

    console.log(
        `\nOn the moto emulator (one request at a time), load ${os.loadavg()[0].toFixed(2)}:\n`,
    );
    printTable(figures);
    console.log("\nWhere verify's time goes (median of traced runs, ms since process start):");
    for (const line of breakdown) console.log(`- ${line}`);
    await printAgent();
}

main().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
