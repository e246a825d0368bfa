// The processes the bench times: verify runs (plain and under the trace preload), verify's cold
// start, and an npm test layer.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

import { region } from "../lab/moto";
import { runProcess } from "../lab/verifyProcess";
import { root, runsEach, traceBundle, verifyBundle } from "./settings";
import { median, timed } from "./stats";
import type { Trace } from "./trace";

/** Time from process start to the first HTTP request it sends (no AWS behind: the request is refused). */
export async function coldStartMs(bundles: string[]): Promise<Map<string, number>> {
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

export async function layerSeconds(layer: string): Promise<{ seconds: number; ok: boolean }> {
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
export async function timedVerify(
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
export async function tracedVerify(args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
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
