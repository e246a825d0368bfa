// npm run bench: prints measured figures; no thresholds are asserted here (targets are printed
// beside the figures). First the latency model (latencyModel.ts: verify against a concurrent AWS
// double adding a fixed latency per request, N = 1, 10, 30), then everything against one moto
// emulator on loopback. Every process being compared is measured in the same loop, one after the
// other, after one warm-up run each, and the figure is the median. BENCH_RUNS sets the runs per
// figure (default 10); BENCH_LAYERS=1 also times each npm test layer (off by default: layer times
// are measured on their own). BENCH_ONLY=model runs only the latency model; BENCH_MODEL_LATENCY_MS
// sets its latency per request (default 50), BENCH_MODEL_RUNS its runs per figure (default
// BENCH_RUNS). BENCH_COMPARE_BUNDLE (another build of verify) is measured beside, in both.
import "../lab/quietSdk";

import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { build } from "esbuild";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

import { startFaultProxy, noFaults, seededRandom } from "../lab/faultProxy";
import { Imds, startImds } from "../lab/imds";
import { region, startMoto } from "../lab/moto";
import { createScenario } from "../lab/scenario";
import { bundlePath, hostEnv, removeHostHomes, runProcess } from "../lab/verifyProcess";
import { createFleet } from "./fleet";
import { ModelFigure, runLatencyModel } from "./latencyModel";
import { measureSdkFloor, measureServiceFloor, sdkFloorEntry, serviceFloorEntry } from "./sdkFloor";
import { median, timed } from "./stats";
import type { Trace } from "./trace";

const runsEach = Number(process.env.BENCH_RUNS ?? 10);
const fleetSizes = [1, 3, 10] as const;
const root = path.join(__dirname, "..");
const aws = path.join(root, ".venv", "bin", "aws");
// The bench's own bundles, in a folder of dist/ that the npm package does not take (files: dist/*.js).
const floorBundle = path.join(root, "dist", "bench", "floor.js");
const traceBundle = path.join(root, "dist", "bench", "trace.js");
const sdkFloorBundle = path.join(root, "dist", "bench", "sdk-floor.js");
const serviceFloorBundle = path.join(root, "dist", "bench", "service-floor.js");
/** BENCH_VERIFY_BUNDLE: measure another build of verify (a what-if), default dist/verify.js. */
const verifyBundle = process.env.BENCH_VERIFY_BUNDLE ?? bundlePath;
/** BENCH_COMPARE_BUNDLE: a candidate build of verify, timed in the same loop as verifyBundle. */
const compareBundle = process.env.BENCH_COMPARE_BUNDLE;
/** BENCH_TRACE_DUMP=1: print every traced request of one single-target run. */
const dumpTrace = process.env.BENCH_TRACE_DUMP === "1";
const modelOnly = process.env.BENCH_ONLY === "model";
const modelLatencyMs = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 50);
const modelRuns = Number(process.env.BENCH_MODEL_RUNS ?? runsEach);

interface Figure {
    what: string;
    value: string;
    target?: string;
}

const helperBuild = {
    bundle: true,
    platform: "node" as const,
    target: "node20",
    minify: true,
    logLevel: "warning" as const,
};

async function bundleHelpers(): Promise<void> {
    const common = helperBuild;
    await build({
        ...common,
        entryPoints: [path.join(__dirname, "floor.ts")],
        outfile: floorBundle,
    });
    await build({
        ...common,
        entryPoints: [path.join(__dirname, "trace.ts")],
        outfile: traceBundle,
    });
}

/** Time from process start to the first HTTP request it sends (no AWS behind: the request is refused). */
async function coldStartMs(bundles: string[]): Promise<Map<string, number>> {
    let firstRequest: (() => void) | undefined;
    const server = http.createServer((_req, res) => {
        firstRequest?.();
        res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const samples = new Map<string, number[]>(bundles.map((b) => [b, []]));
    for (let i = 0; i < runsEach * bundles.length; i++) {
        const bundle = bundles[i % bundles.length];
        const started = process.hrtime.bigint();
        const seen = new Promise<number>((resolve) => {
            firstRequest = () => resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
        const child = runProcess(
            process.execPath,
            [
                bundle,
                "--bucket",
                "cold-start-bucket",
                "--role-arn",
                "arn:aws:iam::123456789012:role/r",
                "--json",
            ],
            {
                PATH: process.env.PATH,
                AWS_REGION: region,
                AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
                AWS_ACCESS_KEY_ID: "AKIACOLDSTARTBENCH00",
                AWS_SECRET_ACCESS_KEY: "cold-start-bench-not-a-secret",
                AWS_MAX_ATTEMPTS: "1",
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            },
        );
        samples.get(bundle)!.push(await seen);
        await child;
    }
    server.close();
    return new Map([...samples].map(([b, x]) => [b, median(x)]));
}

async function layerSeconds(layer: string): Promise<{ seconds: number; ok: boolean }> {
    const mocha = path.join(root, "node_modules", ".bin", "mocha");
    const { ms, value } = await timed(() =>
        runProcess(
            mocha,
            [`test/${layer}/**/*.test.ts`],
            { ...process.env, FORCE_COLOR: "0" },
            15 * 60_000,
        ),
    );
    return { seconds: ms / 1000, ok: value.code === 0 };
}

/** One verify run that must prove; its wall time in ms. */
async function timedVerify(
    args: string[],
    env: NodeJS.ProcessEnv,
    stdin?: string,
    bundle = verifyBundle,
) {
    const { ms, value } = await timed(() =>
        runProcess(process.execPath, [bundle, ...args], env, 120_000, stdin),
    );
    if (value.code !== 0) throw new Error(`verify failed during the benchmark: ${value.stderr}`);
    return ms;
}

/** A verify run under the trace preload: where its time went. */
async function tracedVerify(args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-trace-")), "t.json");
    const result = await runProcess(
        process.execPath,
        ["--require", traceBundle, verifyBundle, ...args],
        { ...env, BENCH_TRACE_FILE: file, BENCH_TRACE_BUNDLE: verifyBundle },
        120_000,
        stdin,
    );
    if (result.code !== 0) throw new Error(`traced verify failed: ${result.stderr}`);
    const trace = JSON.parse(fs.readFileSync(file, "utf8")) as Trace;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    return trace;
}

interface Phases {
    /** Node's own start, before any script runs. */
    node: number;
    /** Parsing and evaluating dist/verify.js (includes the CLI's synchronous start). */
    bundle: number;
    /** Bundle evaluated → first request sent (client and credential provider set-up). */
    toFirstRequest: number;
    /** IMDS token, role name and credentials (the instance-profile credential chain). */
    imds: number;
    /** First AWS request sent → last AWS response (the proof itself). */
    proof: number;
    /** Last response → process exit. */
    exit: number;
    awsRequests: number;
    /** Median time one AWS request took against moto. */
    perRequest: number;
}

function phases(t: Trace, imdsHost: string): Phases {
    const imds = t.requests.filter((r) => r.host === imdsHost);
    const awsReqs = t.requests.filter((r) => r.host !== imdsHost);
    const first = Math.min(...t.requests.map((r) => r.startMs));
    const awsFirst = Math.min(...awsReqs.map((r) => r.startMs));
    const awsLast = Math.max(...awsReqs.map((r) => r.endMs));
    return {
        node: t.preloadMs,
        bundle: t.bundleLoadEndMs - t.bundleLoadStartMs,
        toFirstRequest: first - t.bundleLoadEndMs,
        imds: Math.max(...imds.map((r) => r.endMs)) - Math.min(...imds.map((r) => r.startMs)),
        proof: awsLast - awsFirst,
        exit: t.exitMs - awsLast,
        awsRequests: awsReqs.length,
        perRequest: median(awsReqs.map((r) => r.endMs - r.startMs)),
    };
}

function medianPhases(all: Phases[]): Phases {
    const pick = (k: keyof Phases) => median(all.map((p) => p[k]));
    return {
        node: pick("node"),
        bundle: pick("bundle"),
        toFirstRequest: pick("toFirstRequest"),
        imds: pick("imds"),
        proof: pick("proof"),
        exit: pick("exit"),
        awsRequests: pick("awsRequests"),
        perRequest: pick("perRequest"),
    };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

function printMachine(): void {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const load = os.loadavg()[0].toFixed(2);
    console.log(
        `\nMachine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
            `Node ${process.version}, ${os.platform()} ${os.release()}, ${new Date().toISOString()}, load ${load}\n`,
    );
}

function printTable(rows: Figure[]): void {
    console.log("| figure | measured | target |");
    console.log("| --- | --- | --- |");
    for (const fig of rows) console.log(`| ${fig.what} | ${fig.value} | ${fig.target ?? ""} |`);
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

async function main(): Promise<void> {
    printMachine();
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
    if (modelOnly) return;

    await bundleHelpers();
    const figures: Figure[] = [];
    const breakdown: string[] = [];
    const imdsDoubles: Imds[] = [];
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-bench-"));
    const moto = await startMoto();
    const proxy = await startFaultProxy(moto.endpoint);
    try {
        const hostOf = async (roleName: string, credentials: Parameters<typeof startImds>[1]) => {
            const imds = await startImds(roleName, credentials);
            imdsDoubles.push(imds);
            return {
                imdsHost: new URL(imds.endpoint).host,
                env: {
                    ...hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region }),
                    AWS_DEFAULT_REGION: region,
                },
            };
        };

        // The walkthrough's single target, for the CLI comparison and the floor.
        const scenario = await createScenario(moto, "correct");
        const single = await hostOf(scenario.hostRoleName, scenario.hostCredentials);
        const env = single.env;
        const singleArgs = ["--bucket", scenario.bucket, "--role-arn", scenario.targetRoleArn];

        // N services on one host each: a host role, an IMDS double, N roles and buckets.
        const fleets = [];
        for (const size of fleetSizes) {
            const fleet = await createFleet(moto, size);
            const host = await hostOf(fleet.hostRoleName, fleet.hostCredentials);
            fleets.push({ size, plan: JSON.stringify(fleet.plan), ...host });
        }
        const planArgs = ["--targets", "-", "--json"];

        const adminS3 = new S3Client({
            endpoint: moto.endpoint,
            region,
            credentials: moto.admin,
            forcePathStyle: true,
        });
        const probeFile = path.join(workDir, "report.csv");
        fs.writeFileSync(probeFile, "id,value\n1,42\n");

        // The walkthrough by hand: as the host `aws s3 ls` is denied; `aws sts assume-role`; then
        // `aws s3 cp` and `aws s3 ls` with the returned keys.
        const cliRun = async () => {
            const { ms } = await timed(async () => {
                const denied = await runProcess(aws, ["s3", "ls", `s3://${scenario.bucket}`], env);
                if (denied.code === 0 || !denied.stderr.includes("AccessDenied"))
                    throw new Error(`aws s3 ls as the host was not denied: ${denied.stderr}`);
                const assumed = await runProcess(
                    aws,
                    [
                        "sts",
                        "assume-role",
                        "--role-arn",
                        scenario.targetRoleArn,
                        "--role-session-name",
                        "walkthrough",
                        "--output",
                        "json",
                    ],
                    env,
                );
                if (assumed.code !== 0)
                    throw new Error(`aws sts assume-role failed: ${assumed.stderr}`);
                const c = JSON.parse(assumed.stdout).Credentials;
                const keys = {
                    ...env,
                    AWS_ACCESS_KEY_ID: c.AccessKeyId,
                    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
                    AWS_SESSION_TOKEN: c.SessionToken,
                };
                const cp = await runProcess(
                    aws,
                    ["s3", "cp", probeFile, `s3://${scenario.bucket}/walkthrough/report.csv`],
                    keys,
                );
                if (cp.code !== 0) throw new Error(`aws s3 cp failed: ${cp.stderr}`);
                const ls = await runProcess(aws, ["s3", "ls", `s3://${scenario.bucket}`], keys);
                if (ls.code !== 0) throw new Error(`aws s3 ls failed: ${ls.stderr}`);
            });
            await adminS3.send(
                new DeleteObjectCommand({ Bucket: scenario.bucket, Key: "walkthrough/report.csv" }),
            );
            return ms;
        };
        const floorRun = async () => {
            const { ms, value } = await timed(() =>
                runProcess(
                    process.execPath,
                    [floorBundle, scenario.bucket, scenario.targetRoleArn],
                    env,
                ),
            );
            if (value.code !== 0) throw new Error(`the floor proof failed: ${value.stderr}`);
            return ms;
        };

        const contenders: { name: string; run: () => Promise<number> }[] = [
            { name: "single", run: () => timedVerify([...singleArgs, "--json"], env) },
            { name: "cli", run: cliRun },
            { name: "floor", run: floorRun },
            ...fleets.map((f) => ({
                name: `N=${f.size}`,
                run: () => timedVerify(planArgs, f.env, f.plan),
            })),
        ];
        if (compareBundle) {
            const ten = fleets.find((x) => x.size === 10)!;
            contenders.push(
                {
                    name: "single (candidate)",
                    run: () =>
                        timedVerify([...singleArgs, "--json"], env, undefined, compareBundle),
                },
                {
                    name: "N=10 (candidate)",
                    run: () => timedVerify(planArgs, ten.env, ten.plan, compareBundle),
                },
            );
        }
        // Warm up each once (Python imports, page cache, moto's first-use paths), then alternate.
        for (const c of contenders) await c.run();
        const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
        for (let i = 0; i < runsEach; i++) {
            for (const c of contenders) samples.get(c.name)!.push(await c.run());
        }
        const med = (name: string) => median(samples.get(name)!);

        for (const size of fleetSizes) {
            figures.push({
                what: `verify, plan of N = ${size} service${size > 1 ? "s" : ""} on one host, median of ${runsEach}`,
                value: ms(med(`N=${size}`)),
            });
        }
        figures.push({
            what: "N = 10 time / N = 1 time",
            value: `${(med("N=10") / med("N=1")).toFixed(2)}×`,
            target: "≤ 1.5×",
        });
        const v = med("single");
        const s = med("cli");
        figures.push({
            what: `verify --bucket/--role-arn end to end, median of ${runsEach} (process start → verdict)`,
            value: ms(v),
        });
        figures.push({
            what: `walkthrough's 4 AWS CLI commands (ls denied, assume-role, cp, ls), median of ${runsEach}`,
            value: ms(s),
        });
        figures.push({
            what: "speed-up of verify over the walkthrough's commands",
            value: `${(s / v).toFixed(1)}×`,
            target: "≥ 12×",
        });
        if (compareBundle) {
            const c = med("single (candidate)");
            const c10 = med("N=10 (candidate)");
            const size = (fs.statSync(compareBundle).size / 1024 / 1024).toFixed(2);
            figures.push(
                {
                    what: `candidate ${compareBundle} (${size} MB): --bucket/--role-arn, median of ${runsEach}`,
                    value: `${ms(c)} (${(s / c).toFixed(1)}× the CLI)`,
                },
                {
                    what: "candidate: N = 10, and N = 10 / N = 1 (the shipped N = 1)",
                    value: `${ms(c10)}, ${(c10 / med("N=1")).toFixed(2)}×`,
                },
            );
        }
        const f = med("floor");
        figures.push({
            what: `floor proof (6 requests, bundled the same way), median of ${runsEach}`,
            value: ms(f),
        });
        figures.push({
            what: "verify time / floor time",
            value: `${(v / f).toFixed(2)}×`,
            target: "≤ 1.5×",
        });

        // Round trips: the same single-target run through a counting pass-through proxy.
        proxy.reset(noFaults, seededRandom(1));
        const counted = await runProcess(
            process.execPath,
            [verifyBundle, ...singleArgs, "--json"],
            {
                ...env,
                AWS_ENDPOINT_URL: proxy.endpoint,
            },
        );
        if (counted.code !== 0)
            throw new Error(`verify failed through the proxy: ${counted.stderr}`);
        figures.push({
            what: "AWS round trips verify makes / the proof's minimum",
            value: `${proxy.stats.requests} / 6`,
            target: "report",
        });
        const listing = await adminS3.send(new ListObjectsV2Command({ Bucket: scenario.bucket }));
        figures.push({
            what: "objects left in the bucket after all runs",
            value: String(listing.KeyCount ?? 0),
        });

        // Where the time goes: the same runs under the trace preload.
        const tracedSingle: Phases[] = [];
        const tracedTen: Phases[] = [];
        const ten = fleets.find((x) => x.size === 10)!;
        if (dumpTrace) {
            const t = await tracedVerify([...singleArgs, "--json"], env);
            console.log(JSON.stringify({ ...t, requests: undefined }));
            for (const r of t.requests.sort((a, b) => a.startMs - b.startMs))
                console.log(
                    `${r.startMs.toFixed(1)} → ${r.endMs.toFixed(1)} ${r.method} ${r.host}${r.path} ${r.status}`,
                );
        }
        for (let i = 0; i < Math.max(3, Math.ceil(runsEach / 2)); i++) {
            tracedSingle.push(
                phases(await tracedVerify([...singleArgs, "--json"], env), single.imdsHost),
            );
            tracedTen.push(phases(await tracedVerify(planArgs, ten.env, ten.plan), ten.imdsHost));
        }
        for (const [label, p] of [
            ["N = 1 (--bucket/--role-arn)", medianPhases(tracedSingle)],
            ["N = 10 (--targets -)", medianPhases(tracedTen)],
        ] as const) {
            breakdown.push(
                `${label}: node start ${ms(p.node)}, bundle parse+evaluate ${ms(p.bundle)}, ` +
                    `→ first request ${ms(p.toFirstRequest)}, IMDS credentials ${ms(p.imds)}, ` +
                    `${p.awsRequests} AWS requests ${ms(p.proof)} (median ${p.perRequest.toFixed(1)} ms each), ` +
                    `last response → exit ${ms(p.exit)}`,
            );
        }
    } finally {
        for (const imds of imdsDoubles) await imds.stop();
        await proxy.stop();
        await moto.stop();
        removeHostHomes();
        fs.rmSync(workDir, { recursive: true, force: true });
    }

    figures.push({
        what: "dist/verify.js size",
        value: `${(fs.statSync(verifyBundle).size / 1024 / 1024).toFixed(2)} MB`,
        target: "≤ 0.5 MB",
    });
    const coldStart = await coldStartMs(
        compareBundle ? [verifyBundle, compareBundle] : [verifyBundle],
    );
    figures.push({
        what: `cold start to first request, median of ${runsEach}`,
        value: ms(coldStart.get(verifyBundle)!),
        target: "≤ 61 ms (the 2026-11-29 figure)",
    });
    if (compareBundle)
        figures.push({
            what: `candidate ${compareBundle}: cold start to first request (runs alternating)`,
            value: ms(coldStart.get(compareBundle)!),
        });

    if (process.env.BENCH_LAYERS === "1") {
        for (const layer of ["unit", "policy", "emulator", "host", "reliability"]) {
            const { seconds, ok } = await layerSeconds(layer);
            figures.push({
                what: `npm test layer ${layer} wall time${ok ? "" : " (FAILED)"}`,
                value: `${seconds.toFixed(1)} s`,
                target: layer === "reliability" ? "(no target)" : "≤ 90 s",
            });
        }
    }

    console.log(
        `\nOn the moto emulator (one request at a time), load ${os.loadavg()[0].toFixed(2)}:\n`,
    );
    printTable(figures);
    console.log("\nWhere verify's time goes (median of traced runs, ms since process start):");
    for (const line of breakdown) console.log(`- ${line}`);
}

main().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
