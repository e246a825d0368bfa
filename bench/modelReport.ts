// The latency model's figures (latencyModel.ts) and what bounds them: the SDK's own CPU per
// request beside verify's.
import { build } from "esbuild";

import { region } from "../lab/moto";
import { removeHostHomes } from "../lab/verifyProcess";
import { ModelFigure, runLatencyModel } from "./latencyModel";
import { measureSdkFloor, measureServiceFloor, sdkFloorEntry, serviceFloorEntry } from "./sdkFloor";
import {
    compareBundle,
    helperBuild,
    modelLatencyMs,
    modelRuns,
    sdkFloorBundle,
    serviceFloorBundle,
    verifyBundle,
} from "./settings";
import { Figure, ms, printTable } from "./table";

/** Verify against a concurrent AWS double adding a fixed latency per request, N = 1, 10, 30. */
export async function printLatencyModel(): Promise<void> {
    const bundles = [verifyBundle, ...(compareBundle ? [compareBundle] : [])];
    const model = await runLatencyModel({
        bundles,
        latencyMs: modelLatencyMs,
        runs: modelRuns,
        region,
    });
    removeHostHomes();
    for (const bundle of bundles) {
        console.log(
            `Latency model: ${bundle} against a concurrent AWS double adding ${modelLatencyMs} ms to every request (bench/awsDouble.ts), median of ${modelRuns}${bundles.length > 1 ? ", runs alternating with the other build" : ""}:\n`,
        );
        printTable(modelRows(model, bundle));
        console.log("");
    }
    await printSdkFloor(model);
}

function modelRows(model: ModelFigure[], bundle: string): Figure[] {
    const mine = model.filter((m) => m.bundle === bundle);
    const one = mine.find((m) => m.services === 1)!;
    const targets: Record<number, string> = { 1: "≤ 6 deep", 10: "≤ 1.3× N = 1", 30: "≤ 3× N = 1" };
    const rows = mine.map((m) => ({
        what: `N = ${m.services}: wall time (process start → exit), × N = 1; verify's CPU time; requests; round-trip depth`,
        value: `${ms(m.wallMs)}, ${(m.wallMs / one.wallMs).toFixed(2)}×; CPU ${ms(m.cpuMs)}; ${m.requests} requests; ${m.depth} deep`,
        target: bundle === verifyBundle ? targets[m.services] : undefined,
    }));
    // What a second core could buy at most: two processes, half the plan each, at once.
    const halves = mine
        .filter((m) => m.twoHalvesWallMs !== undefined)
        .map((m) => ({
            what: `N = ${m.services} as two verify processes at once, half the plan each (a second core's most; fewer isolation rows)`,
            value: `${ms(m.twoHalvesWallMs!)}, ${(m.twoHalvesWallMs! / one.wallMs).toFixed(2)}×; ${m.twoHalvesRequests} requests`,
        }));
    return [...rows, ...halves];
}

/**
 * The SDK's CPU per request beside verify's CPU per added request (N = 30 against N = 1): when the
 * two are close, verify's time at large N is the SDK's requests, not the proof's own work.
 */
async function printSdkFloor(model: ModelFigure[]): Promise<void> {
    await build({ ...helperBuild, entryPoints: [sdkFloorEntry], outfile: sdkFloorBundle });
    const floor = await measureSdkFloor(sdkFloorBundle, 3, 64);
    const probe = await measureSdkFloor(sdkFloorBundle, 3, 64, "probe");
    await build({ ...helperBuild, entryPoints: [serviceFloorEntry], outfile: serviceFloorBundle });
    const service = await measureServiceFloor(serviceFloorBundle, 3, 30);
    const mine = model.filter((m) => m.bundle === verifyBundle);
    const one = mine.find((m) => m.services === 1)!;
    const most = mine[mine.length - 1];
    const perAdded = (most.cpuMs - one.cpuMs) / (most.requests - one.requests);
    console.log(
        "What bounds the model once requests run concurrently (CPU per request, median of 3):\n",
    );
    printTable([
        {
            what: `the SDK alone: one S3 client with verify's settings, ${floor.requests} denied ListObjectsV2, ${floor.inFlight} in flight, no added latency (bench/sdkFloorClient.ts)`,
            value: `${floor.cpuMsPerRequest.toFixed(2)} ms`,
        },
        {
            what: `the listing probe alone: the same ${probe.requests} denied listings through verify/host/proof/listingProbe.ts (as the proof's denied listings go), same client and pool`,
            value: `${probe.cpuMsPerRequest.toFixed(2)} ms (${(probe.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(2)}× the SDK's)`,
        },
        {
            what: `one service's SDK work without its listings: AssumeRole, identity, put, list, get, delete on its own new clients, ${service.services} services at once (bench/serviceFloorClient.ts)`,
            value: `${service.cpuMsPerService.toFixed(1)} ms per service`,
        },
        {
            what: `verify: CPU per request added from N = 1 to N = ${most.services} ((CPU − CPU₁) / (requests − requests₁))`,
            value: `${perAdded.toFixed(2)} ms (${(perAdded / floor.cpuMsPerRequest).toFixed(2)}× the SDK's)`,
        },
    ]);
    console.log("");
}
