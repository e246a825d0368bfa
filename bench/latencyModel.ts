// The latency model: verify (the bundle, as a process, host credentials from the IMDSv2 double)
// against the concurrent AWS double with a fixed latency added to every request, for plans of
// N = 1, 10 and 30 services. It predicts the shape of a run against real AWS, where requests are
// served in parallel and each costs tens of milliseconds from a host in the region; moto cannot,
// as it serves one request at a time. IMDS answers at once (on EC2 it is a local hop).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { startImds } from "../test/support/imds";
import { hostEnv, runProcess } from "../test/support/verifyProcess";
import { modelAccount, roundTripDepth, startAwsDouble } from "./awsDouble";
import { median, timed } from "./stats";

export const modelSizes = [1, 10, 30] as const;

export interface ModelFigure {
    services: number;
    /** Process start → exit, median of the runs. */
    wallMs: number;
    /** CPU time (user + system) of the verify process, median: what a busy machine stretches. */
    cpuMs: number;
    requests: number;
    depth: number;
}

export interface ModelOptions {
    bundle: string;
    latencyMs: number;
    runs: number;
    region: string;
    /** Extra verify flags, e.g. ["--concurrency", "8"]. */
    extraArgs?: string[];
}

function modelPlan(services: number) {
    return Array.from({ length: services }, (_, i) => ({
        name: `service-${i + 1}`,
        roleArn: `arn:aws:iam::${modelAccount}:role/model-service-${i + 1}`,
        bucket: `model-bucket-${i + 1}`,
    }));
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
    const args = ["--targets", "-", "--json", ...(options.extraArgs ?? [])];
    const figures: ModelFigure[] = [];
    try {
        for (const services of modelSizes) {
            const plan = modelPlan(services);
            aws.setRoles(plan);
            const stdin = JSON.stringify(plan);
            const run = async () => {
                aws.reset();
                const { ms, value } = await timed(() =>
                    runProcess(
                        process.execPath,
                        ["--require", preload, options.bundle, ...args],
                        env,
                        120_000,
                        stdin,
                    ),
                );
                if (value.code !== 0)
                    throw new Error(
                        `verify failed against the latency model (N = ${services}): ${value.stderr}${value.stdout.slice(0, 2000)}`,
                    );
                return {
                    ms,
                    cpuMs: Number(fs.readFileSync(cpuFile, "utf8")),
                    requests: aws.requests.length,
                    depth: roundTripDepth(aws.requests),
                };
            };
            await run(); // warm-up: page cache, the double's first-use paths
            const samples = [];
            for (let i = 0; i < options.runs; i++) samples.push(await run());
            figures.push({
                services,
                wallMs: median(samples.map((s) => s.ms)),
                cpuMs: median(samples.map((s) => s.cpuMs)),
                requests: median(samples.map((s) => s.requests)),
                depth: median(samples.map((s) => s.depth)),
            });
        }
    } finally {
        await imds.stop();
        await aws.stop();
        fs.rmSync(workDir, { recursive: true, force: true });
    }
    return figures;
}
