// Which fault schedules a reliability run uses: seeds 1..runs, or the one seed given in
// ROLEPAIR_FAULT_SEED to replay a failure (its schedule is a pure function of the seed).

/** The environment variable that replays one seed: ROLEPAIR_FAULT_SEED=17 npm run test:reliability. */
export const replaySeedVariable = "ROLEPAIR_FAULT_SEED";

/** The seeds to run: all of 1..runs, or the one replayed; a bad value is an error naming it. */
export function selectedSeeds(runs: number, env: NodeJS.ProcessEnv = process.env): number[] {
    const raw = env[replaySeedVariable];
    if (raw === undefined || raw === "") return Array.from({ length: runs }, (_, i) => i + 1);
    const seed = Number(raw);
    if (!/^\d+$/.test(raw) || seed < 1 || seed > runs) {
        throw new Error(
            `${replaySeedVariable}=${JSON.stringify(raw)}: expected a seed from 1 to ${runs} (the one a failure names)`,
        );
    }
    return [seed];
}

/** How a message tells a reader to replay `seed`. */
export function replayHint(seed: number): string {
    return `replay: ${replaySeedVariable}=${seed} npm run test:reliability`;
}
