// Everything against one moto emulator on loopback: verify (one target and plans of N), the
// walkthrough's CLI commands and the floor proof, each measured in the same loop, one after the
// other, after one warm-up run each; the figure is the median. Then the round trips through a
// counting proxy and where the time goes under the trace preload.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as path from "path";

import { noFaults, seededRandom } from "../lab/faultProxy";
import { runProcess } from "../lab/verifyProcess";
import { MotoLab, startMotoLab } from "./motoLab";
import { breakdownLine, medianPhases, phases, Phases } from "./phases";
import { timedVerify, tracedVerify } from "./processes";
import {
    compareBundle,
    dumpTrace,
    fleetSizes,
    floorBundle,
    runsEach,
    verifyBundle,
} from "./settings";
import { median, timed } from "./stats";
import { Figure, ms } from "./table";
import { walkthroughByHand } from "./walkthroughCli";

const planArgs = ["--targets", "-", "--json"];

interface Contender {
    name: string;
    run: () => Promise<number>;
}

function contenders(lab: MotoLab): Contender[] {
    const { single } = lab;
    const probeFile = path.join(lab.workDir, "report.csv");
    fs.writeFileSync(probeFile, "id,value\n1,42\n");
    const floor = async () => {
        const { ms, value } = await timed(() =>
            runProcess(process.execPath, [floorBundle, single.bucket, single.roleArn], single.env),
        );
        if (value.code !== 0) throw new Error(`the floor proof failed: ${value.stderr}`);
        return ms;
    };
    const ten = lab.fleets.find((x) => x.size === 10)!;
    return [
        { name: "single", run: () => timedVerify([...single.args, "--json"], single.env) },
        {
            name: "cli",
            run: () => walkthroughByHand({ ...single, probeFile, adminS3: lab.adminS3 }),
        },
        { name: "floor", run: floor },
        ...lab.fleets.map((f) => ({
            name: `N=${f.size}`,
            run: () => timedVerify(planArgs, f.env, f.plan),
        })),
        ...(compareBundle
            ? [
                  {
                      name: "single (candidate)",
                      run: () =>
                          timedVerify(
                              [...single.args, "--json"],
                              single.env,
                              undefined,
                              compareBundle,
                          ),
                  },
                  {
                      name: "N=10 (candidate)",
                      run: () => timedVerify(planArgs, ten.env, ten.plan, compareBundle),
                  },
              ]
            : []),
    ];
}

/** Warm up each once (Python imports, page cache, moto's first-use paths), then alternate. */
async function medians(all: Contender[]): Promise<(name: string) => number> {
    for (const c of all) await c.run();
    const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
    for (let i = 0; i < runsEach; i++) {
        for (const c of all) samples.get(c.name)!.push(await c.run());
    }
    return (name) => median(samples.get(name)!);
}

function comparisonFigures(med: (name: string) => number): Figure[] {
    const v = med("single");
    const s = med("cli");
    const f = med("floor");
    const figures: Figure[] = fleetSizes.map((size) => ({
        what: `verify, plan of N = ${size} service${size > 1 ? "s" : ""} on one host, median of ${runsEach}`,
        value: ms(med(`N=${size}`)),
    }));
    figures.push(
        {
            what: "N = 10 time / N = 1 time",
            value: `${(med("N=10") / med("N=1")).toFixed(2)}×`,
            target: "≤ 1.5×",
        },
        {
            what: `verify --bucket/--role-arn end to end, median of ${runsEach} (process start → verdict)`,
            value: ms(v),
        },
        {
            what: `walkthrough's 4 AWS CLI commands (ls denied, assume-role, cp, ls), median of ${runsEach}`,
            value: ms(s),
        },
        {
            what: "speed-up of verify over the walkthrough's commands",
            value: `${(s / v).toFixed(1)}×`,
            target: "≥ 12×",
        },
    );
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
    figures.push(
        {
            what: `floor proof (6 requests, bundled the same way), median of ${runsEach}`,
            value: ms(f),
        },
        { what: "verify time / floor time", value: `${(v / f).toFixed(2)}×`, target: "≤ 1.5×" },
    );
    return figures;
}

/** The same single-target run through the counting pass-through proxy; what it left behind. */
async function roundTripFigures(lab: MotoLab): Promise<Figure[]> {
    lab.proxy.reset(noFaults, seededRandom(1));
    const counted = await runProcess(
        process.execPath,
        [verifyBundle, ...lab.single.args, "--json"],
        { ...lab.single.env, AWS_ENDPOINT_URL: lab.proxy.endpoint },
    );
    if (counted.code !== 0) throw new Error(`verify failed through the proxy: ${counted.stderr}`);
    const listing = await lab.adminS3.send(new ListObjectsV2Command({ Bucket: lab.single.bucket }));
    return [
        {
            what: "AWS round trips verify makes / the proof's minimum",
            value: `${lab.proxy.stats.requests} / 6`,
            target: "report",
        },
        { what: "objects left in the bucket after all runs", value: String(listing.KeyCount ?? 0) },
    ];
}

/** Where the time goes: the same runs under the trace preload, one line per plan size. */
async function traceBreakdown(lab: MotoLab): Promise<string[]> {
    const { single } = lab;
    const ten = lab.fleets.find((x) => x.size === 10)!;
    if (dumpTrace) {
        const t = await tracedVerify([...single.args, "--json"], single.env);
        console.log(JSON.stringify({ ...t, requests: undefined }));
        for (const r of t.requests.sort((a, b) => a.startMs - b.startMs))
            console.log(
                `${r.startMs.toFixed(1)} → ${r.endMs.toFixed(1)} ${r.method} ${r.host}${r.path} ${r.status}`,
            );
    }
    const tracedSingle: Phases[] = [];
    const tracedTen: Phases[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(runsEach / 2)); i++) {
        const one = await tracedVerify([...single.args, "--json"], single.env);
        tracedSingle.push(phases(one, single.imdsHost));
        tracedTen.push(phases(await tracedVerify(planArgs, ten.env, ten.plan), ten.imdsHost));
    }
    return [
        breakdownLine("N = 1 (--bucket/--role-arn)", medianPhases(tracedSingle)),
        breakdownLine("N = 10 (--targets -)", medianPhases(tracedTen)),
    ];
}

export async function runMotoBench(): Promise<{ figures: Figure[]; breakdown: string[] }> {
    const lab = await startMotoLab();
    try {
        const med = await medians(contenders(lab));
        const figures = [...comparisonFigures(med), ...(await roundTripFigures(lab))];
        return { figures, breakdown: await traceBreakdown(lab) };
    } finally {
        await lab.stop();
    }
}
