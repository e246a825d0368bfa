// What each seed of the reliability layer runs: the setup (correct or broken in one named way, one
// service or three) and the fault schedule. A pure function of the seed, so a seed names a run.
import { faultKinds, FaultSchedule, seededRandom } from "../../lab/faultProxy";
import type { MatrixVariant } from "../../lab/matrixScenario";
import type { Variant } from "../../lab/scenario";

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
 * at most 3 propagation denials per role (the proof's propagation retries, 0.1, 0.16, 0.26 and
 * 0.41 s apart, make 5 AssumeRole attempts in its 1.5 s window). Beyond it: unlimited faults in a
 * row, or 8 denials per role, more than the window holds.
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
            propagationDenials: longPropagation ? 8 : Math.floor(random() * 4),
        },
    };
}
