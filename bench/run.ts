// npm run bench: prints measured figures; no thresholds are asserted here (targets are printed
// beside the figures). Everything runs on loopback against the moto emulator.
import "../test/support/quietSdk";

import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { build } from "esbuild";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

import { startFaultProxy, noFaults, seededRandom } from "../test/support/faultProxy";
import { startImds } from "../test/support/imds";
import { region, startMoto } from "../test/support/moto";
import { createScenario } from "../test/support/scenario";
import { bundlePath, hostEnv, runProcess, runVerify } from "../test/support/verifyProcess";
import { median, timed } from "./stats";

const runsEach = Number(process.env.BENCH_RUNS ?? 10);
const root = path.join(__dirname, "..");
const aws = path.join(root, ".venv", "bin", "aws");
const floorBundle = path.join(root, "dist", "bench-floor.js");

interface Figure {
    what: string;
    value: string;
    target?: string;
}

async function bundleFloor(): Promise<void> {
    await build({
        entryPoints: [path.join(__dirname, "floor.ts")],
        outfile: floorBundle,
        bundle: true,
        platform: "node",
        target: "node20",
        minify: true,
        logLevel: "warning",
    });
}

/** Time from process start to the first HTTP request it sends (no AWS behind: the request is refused). */
async function coldStartMs(): Promise<number> {
    let firstRequest: (() => void) | undefined;
    const server = http.createServer((_req, res) => {
        firstRequest?.();
        res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const samples: number[] = [];
    for (let i = 0; i < runsEach; i++) {
        const started = process.hrtime.bigint();
        const seen = new Promise<number>((resolve) => {
            firstRequest = () => resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
        const child = runProcess(
            process.execPath,
            [
                bundlePath,
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
        samples.push(await seen);
        await child;
    }
    server.close();
    return median(samples);
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

async function main(): Promise<void> {
    await bundleFloor();
    const figures: Figure[] = [];
    const moto = await startMoto();
    const proxy = await startFaultProxy(moto.endpoint);
    try {
        const scenario = await createScenario(moto, "correct");
        const imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);
        const env = {
            ...hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region }),
            AWS_DEFAULT_REGION: region,
        };
        const adminS3 = new S3Client({
            endpoint: moto.endpoint,
            region,
            credentials: moto.admin,
            forcePathStyle: true,
        });
        const probeFile = path.join(
            fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-bench-")),
            "report.csv",
        );
        fs.writeFileSync(probeFile, "id,value\n1,42\n");

        const verifyArgs = [
            "--bucket",
            scenario.bucket,
            "--role-arn",
            scenario.targetRoleArn,
            "--json",
        ];
        const verifyRun = async () => {
            const { ms, value } = await timed(() => runVerify(verifyArgs, env));
            if (value.code !== 0)
                throw new Error(`verify failed during the benchmark: ${value.stderr}`);
            return ms;
        };
        // The seed's hand-run proof: aws sts assume-role, then aws s3 ls and aws s3 cp with the keys.
        const seedRun = async () => {
            const { ms } = await timed(async () => {
                const assumed = await runProcess(
                    aws,
                    [
                        "sts",
                        "assume-role",
                        "--role-arn",
                        scenario.targetRoleArn,
                        "--role-session-name",
                        "seed",
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
                const ls = await runProcess(aws, ["s3", "ls", `s3://${scenario.bucket}`], keys);
                if (ls.code !== 0) throw new Error(`aws s3 ls failed: ${ls.stderr}`);
                const cp = await runProcess(
                    aws,
                    ["s3", "cp", probeFile, `s3://${scenario.bucket}/seed/report.csv`],
                    keys,
                );
                if (cp.code !== 0) throw new Error(`aws s3 cp failed: ${cp.stderr}`);
            });
            await adminS3.send(
                new DeleteObjectCommand({ Bucket: scenario.bucket, Key: "seed/report.csv" }),
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

        // Warm up each once (Python imports, page cache), then alternate.
        await verifyRun();
        await seedRun();
        await floorRun();
        const verifyMs: number[] = [];
        const seedMs: number[] = [];
        const floorMs: number[] = [];
        for (let i = 0; i < runsEach; i++) {
            verifyMs.push(await verifyRun());
            seedMs.push(await seedRun());
            floorMs.push(await floorRun());
        }
        const v = median(verifyMs);
        const s = median(seedMs);
        const f = median(floorMs);
        figures.push({
            what: `verify end to end, median of ${runsEach} (process start → verdict)`,
            value: `${v.toFixed(0)} ms`,
        });
        figures.push({
            what: `seed's 3 AWS CLI commands, median of ${runsEach}`,
            value: `${s.toFixed(0)} ms`,
        });
        figures.push({
            what: "speed-up of verify over the seed's commands",
            value: `${(s / v).toFixed(1)}×`,
            target: "≥ 5×",
        });
        figures.push({
            what: `floor proof (6 requests, bundled the same way), median of ${runsEach}`,
            value: `${f.toFixed(0)} ms`,
        });
        figures.push({
            what: "verify time / floor time",
            value: `${(v / f).toFixed(2)}×`,
            target: "≤ 1.5×",
        });

        // Round trips: the same run through a counting pass-through proxy.
        proxy.reset(noFaults, seededRandom(1));
        const counted = await runVerify(verifyArgs, { ...env, AWS_ENDPOINT_URL: proxy.endpoint });
        if (counted.code !== 0)
            throw new Error(`verify failed through the proxy: ${counted.stderr}`);
        const listing = await adminS3.send(new ListObjectsV2Command({ Bucket: scenario.bucket }));
        figures.push({
            what: "AWS round trips verify makes / the proof's minimum",
            value: `${proxy.stats.requests} / 6`,
            target: "report",
        });
        figures.push({
            what: "objects left in the bucket after all runs",
            value: String(listing.KeyCount ?? 0),
        });
        await imds.stop();
    } finally {
        await proxy.stop();
        await moto.stop();
    }

    figures.push({
        what: "dist/verify.js size",
        value: `${(fs.statSync(bundlePath).size / 1024 / 1024).toFixed(2)} MB`,
        target: "≤ 1.5 MB",
    });
    figures.push({
        what: `cold start to first request, median of ${runsEach}`,
        value: `${(await coldStartMs()).toFixed(0)} ms`,
        target: "≤ 250 ms",
    });

    if (process.env.BENCH_SKIP_LAYERS !== "1") {
        for (const layer of ["unit", "policy", "emulator", "host", "reliability"]) {
            const { seconds, ok } = await layerSeconds(layer);
            figures.push({
                what: `npm test layer ${layer} wall time${ok ? "" : " (FAILED)"}`,
                value: `${seconds.toFixed(1)} s`,
                target: layer === "reliability" ? "(no target)" : "≤ 90 s",
            });
        }
    }

    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    console.log(
        `\nMachine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\n`,
    );
    console.log("| figure | measured | target |");
    console.log("| --- | --- | --- |");
    for (const f of figures) console.log(`| ${f.what} | ${f.value} | ${f.target ?? ""} |`);
}

main().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
