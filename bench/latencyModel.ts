// The latency model: verify (the bundle, as a process, host credentials from the IMDSv2 double)
// against the concurrent AWS double with a fixed latency added to every request, for plans of
// N = 1, 10 and 30 services. It predicts the shape of a run against real AWS, where requests are
// served in parallel and each costs tens of milliseconds from a host in the region; moto cannot,
// as it serves one request at a time. IMDS answers at once (on EC2 it is a local hop).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { startImds } from "../lab/imds";
import { hostEnv, runProcess } from "../lab/verifyProcess";
import { roundTripDepth, startAwsDouble } from "./awsDouble";
import { modelPlan } from "./modelPlan";
import { median, timed } from "./stats";

export const modelSizes = [1, 10, 30] as const;

export interface ModelFigure {
    bundle: string;
    services: number;
    /** Process start → exit, median of the runs. */
    wallMs: number;
    /** CPU time (user + system) of the verify process, median: what a busy machine stretches. */
    cpuMs: number;
    requests: number;
    depth: number;
    /**
     * The plan split in two halves, each proven by its own verify process at the same time (both
     * bundles' runs, time until both exit): what a second core could buy at most, since each half
     * also skips the other half's isolation rows (N²/2 + 6N + 2 requests in all). N > 1 only.
     */
    twoHalvesWallMs?: number;
    twoHalvesRequests?: number;
}

export interface ModelOptions {
    /** Builds of verify to measure, their runs alternating so that all see the same load. */
    bundles: string[];
    latencyMs: number;
    runs: number;
    region: string;
}

/** A preload that reports the process's CPU time on exit (to BENCH_CPU_FILE). */
const cpuPreload = `process.on("exit", () => { const u = process.cpuUsage(); require("fs").writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });`;

export async function runLatencyModel(options: ModelOptions): Promise<ModelFigure[]> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-model-"));
    const preload = path.join(workDir, "cpu.js");
    const cpuFile = path.join(workDir, "cpu.txt");
    fs.writeFileSync(preload, cpuPreload);
    const hostRoleName = "model-host-role";
    const aws = await startAwsDouble({ latencyMs: options.latencyMs, hostRoleName });
    const imds = await startImds(hostRoleName, {
        accessKeyId: aws.hostAccessKeyId,
        secretAccessKey: "model-host-secret-not-a-secret",
        sessionToken: "model-host-token",
    });
    const env = {
        ...hostEnv({
            imdsEndpoint: imds.endpoint,
            awsEndpoint: aws.endpoint,
            region: options.region,
        }),
        BENCH_CPU_FILE: cpuFile,
    };
    const args = ["--targets", "-", "--json"];
    const figures: ModelFigure[] = [];
    try {
        for (const services of modelSizes) {
            const plan = modelPlan(services);
            aws.setRoles(plan);
            const prove = async (bundle: string, part: typeof plan) => {
                const result = await runProcess(
                    process.execPath,
                    ["--require", preload, bundle, ...args],
                    env,
                    120_000,
                    JSON.stringify(part),
                );
                if (result.code !== 0)
                    throw new Error(
                        `${bundle} failed against the latency model (${part.length} of N = ${services}): ${result.stderr}${result.stdout.slice(0, 2000)}`,
                    );
            };
            const run = async (bundle: string) => {
                aws.reset();
                const { ms } = await timed(() => prove(bundle, plan));
                return {
                    ms,
                    cpuMs: Number(fs.readFileSync(cpuFile, "utf8")),
                    requests: aws.requests.length,
                    depth: roundTripDepth(aws.requests),
                };
            };
            // A warm-up run each (page cache, the double's first-use paths), then alternate.
            for (const bundle of options.bundles) await run(bundle);
            const samples = new Map(
                options.bundles.map((b) => [b, [] as Awaited<ReturnType<typeof run>>[]]),
            );
            for (let i = 0; i < options.runs; i++)
                for (const bundle of options.bundles) samples.get(bundle)!.push(await run(bundle));
            const halves = [plan.slice(0, services / 2), plan.slice(services / 2)];
            const twoHalves = async (bundle: string) => {
                aws.reset();
                const { ms } = await timed(() =>
                    Promise.all(halves.map((half) => prove(bundle, half))),
                );
                return { ms, requests: aws.requests.length };
            };
            const split = new Map(
                options.bundles.map((b) => [b, [] as { ms: number; requests: number }[]]),
            );
            if (services > 1)
                for (let i = 0; i < options.runs; i++)
                    for (const bundle of options.bundles)
                        split.get(bundle)!.push(await twoHalves(bundle));
            for (const [bundle, runs] of samples) {
                const halvesRuns = split.get(bundle)!;
                figures.push({
                    ...(halvesRuns.length > 0
                        ? {
                              twoHalvesWallMs: median(halvesRuns.map((r) => r.ms)),
                              twoHalvesRequests: median(halvesRuns.map((r) => r.requests)),
                          }
                        : {}),
                    bundle,
                    services,
                    wallMs: median(runs.map((r) => r.ms)),
                    cpuMs: median(runs.map((r) => r.cpuMs)),
                    requests: median(runs.map((r) => r.requests)),
                    depth: median(runs.map((r) => r.depth)),
                });
            }
        }
    } finally {
        await imds.stop();
        await aws.stop();
        fs.rmSync(workDir, { recursive: true, force: true });
    }
    return figures;
}
