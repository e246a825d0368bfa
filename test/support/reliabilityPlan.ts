// What each seed of the reliability layer runs: the setup (correct or broken in one named way, one
// service or three) and the fault schedule. A pure function of the seed, so a seed names a run.
import { faultKinds, FaultSchedule, seededRandom } from "./faultProxy";
import type { MatrixVariant } from "./matrixScenario";
import type { Variant } from "./scenario";

/** Seeds 1..runs. */
export const runs = 200;
/** Seeds after this one run the three-service plan; the services run concurrently, so a run costs about one. */
export const singleTargetRuns = 160;

export const brokenVariants: Variant[] = [
    "host-reads-bucket",
    "host-lacks-assume",
    "target-untrusting",
    "target-lacks-put",
    "bucket-missing",
];

export const brokenMatrixVariants: MatrixVariant[] = [
    "b-lists-a",
    "host-reads-c",
    "host-lacks-assume-c",
    "c-untrusting",
];

export interface Plan {
    seed: number;
    /** Three services (the matrix plan) rather than one target. */
    matrix: boolean;
    variant: Variant | MatrixVariant;
    withinBudget: boolean;
    schedule: FaultSchedule;
}

/**
 * "Within the retry budget": at most 3 faults in a row per operation (the SDK makes 4 attempts) and
 * IAM propagation well inside the proof's propagation retry window (0.4 s of 1.5 s). Beyond it:
 * unlimited faults in a row, or propagation longer than the window.
 */
export function plan(seed: number): Plan {
    const random = seededRandom(seed);
    const withinBudget = random() < 0.7;
    const matrix = seed > singleTargetRuns;
    const broken: readonly (Variant | MatrixVariant)[] = matrix
        ? brokenMatrixVariants
        : brokenVariants;
    const variant = random() < 0.3 ? broken[Math.floor(random() * broken.length)] : "correct";
    const kinds = faultKinds.filter(() => random() < 0.7);
    const longPropagation = !withinBudget && random() < 0.4;
    return {
        seed,
        matrix,
        variant,
        withinBudget,
        schedule: {
            faultRate: random() * 0.5,
            kinds: kinds.length ? kinds : faultKinds,
            maxConsecutive: withinBudget ? 3 : Number.POSITIVE_INFINITY,
            latencyMs: Math.floor(random() * 20),
            propagationMs: longPropagation ? 2_500 : Math.floor(random() * 400),
        },
    };
}
