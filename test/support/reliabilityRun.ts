// One seed of the reliability layer: the proof (in-process, runProof) through a fault proxy on a
// worker's fixtures, and what came of it. A worker owns one proxy and one set of fixtures (every
// variant, one service and three), made once and reused by its runs, so that runs on different
// workers can go at once without seeing each other's faults or probe objects.
import { runProof } from "../../verify/host/proof/proof";
import type { ProofOptions } from "../../verify/host/proof/options";
import type { ProofReport } from "../../contract/report";
import { Fault, FaultProxy, StableNames, startFaultProxy } from "../../lab/faultProxy";
import { createMatrixScenario, MatrixScenario, MatrixVariant } from "../../lab/matrixScenario";
import { Moto, region } from "../../lab/moto";
import { proofClock } from "./reliabilityClock";
import { brokenMatrixVariants, brokenVariants, plan, Plan } from "./reliabilityPlan";
import { createScenario, Scenario, Variant } from "../../lab/scenario";

export const propagationTimeoutMs = 1_500;
export const propagationInitialDelayMs = 100;

/**
 * How many AssumeRole attempts a service's retry loop makes in the window when every one is denied:
 * the proof retries while its waits so far plus the next (initial delay, ×1.6 each) fit.
 */
export function attemptsInWindow(): number {
    let [attempts, waited, delay] = [1, 0, propagationInitialDelayMs];
    while (waited + delay <= propagationTimeoutMs) {
        [attempts, waited, delay] = [attempts + 1, waited + delay, Math.min(delay * 1.6, 5_000)];
    }
    return attempts;
}

export interface Worker {
    proxy: FaultProxy;
    scenarios: Map<Variant, Scenario>;
    matrices: Map<MatrixVariant, MatrixScenario>;
}

export async function createWorker(moto: Moto): Promise<Worker> {
    const proxy = await startFaultProxy(moto.endpoint);
    const single = ["correct", ...brokenVariants] as Variant[];
    const matrix = ["correct", ...brokenMatrixVariants] as MatrixVariant[];
    const [scenarios, matrices] = await Promise.all([
        Promise.all(single.map((v) => createScenario(moto, v))),
        Promise.all(matrix.map((v) => createMatrixScenario(moto, v))),
    ]);
    return {
        proxy,
        scenarios: new Map(single.map((v, i) => [v, scenarios[i]])),
        matrices: new Map(matrix.map((v, i) => [v, matrices[i]])),
    };
}

export interface SeedOutcome {
    plan: Plan;
    report: ProofReport;
    /** The first failed step or isolation row, if any. */
    failed?: { name: string; observed: string };
    faults: Record<Fault | "propagation", number>;
    /** Every fault injected, "<request identity> #<attempt>: <fault>", sorted. */
    injected: string[];
    elapsedMs: number;
    /** The most one service's retry loop waited (on the proof's clock, which counts its waits). */
    longestWaitMs: number;
}

/** The worker's own bucket names and role ARNs → names that are the same on every worker. */
function stableNames(scenario: Scenario | MatrixScenario): StableNames {
    if (!("plan" in scenario))
        return { [scenario.bucket]: "<bucket>", [scenario.targetRoleArn]: "<target role>" };
    return Object.fromEntries(
        scenario.services.flatMap((s) => [
            [s.bucket, `<${s.name} bucket>`],
            [s.roleArn, `<${s.name} role>`],
        ]),
    );
}

/** Runs `seed`'s plan on the worker's fixtures through its proxy. */
export async function runSeed(worker: Worker, seed: number): Promise<SeedOutcome> {
    const { proxy, scenarios, matrices } = worker;
    const p = plan(seed);
    const scenario = p.matrix
        ? matrices.get(p.variant as MatrixVariant)!
        : scenarios.get(p.variant as Variant)!;
    const targets: ProofOptions["targets"] =
        "plan" in scenario
            ? scenario.plan()
            : [{ name: "target", bucket: scenario.bucket, roleArn: scenario.targetRoleArn }];
    proxy.reset(p.schedule, seed, stableNames(scenario));
    const clock = proofClock(proxy);
    const t0 = Date.now();
    const report = await runProof(
        {
            targets,
            region,
            sessionName: `fault-${seed}`,
            perServiceSessions: p.matrix,
            durationSeconds: 900,
            propagationTimeoutMs,
            json: true,
            endpoint: proxy.endpoint,
        },
        {
            baseCredentials: scenario.hostCredentials,
            propagationInitialDelayMs,
            now: clock.now,
            sleep: clock.sleep,
        },
    );
    const elapsedMs = Date.now() - t0;
    const failedStep = [...report.steps, ...report.services.flatMap((s) => s.steps)].find(
        (s) => !s.ok,
    );
    const failedRow = report.isolation.find((r) => !r.ok);
    const failed = failedStep
        ? { name: failedStep.name, observed: failedStep.observed }
        : failedRow
          ? {
                name: `isolation ${failedRow.service}→${failedRow.bucket}`,
                observed: failedRow.observed,
            }
          : undefined;
    return {
        plan: p,
        report,
        failed,
        faults: { ...proxy.stats.faults },
        injected: [...proxy.stats.injected].sort(),
        elapsedMs,
        longestWaitMs: clock.longestWaitMs(),
    };
}
