// The reliability layer's seed selection: every seed, or the one ROLEPAIR_FAULT_SEED replays.
import * as assert from "assert";

import { replayHint, selectedSeeds } from "../support/faultSeeds";

describe("reliability seeds (replay one with ROLEPAIR_FAULT_SEED)", () => {
    it("runs seeds 1..runs by default", () => {
        assert.deepStrictEqual(selectedSeeds(5, {}), [1, 2, 3, 4, 5]);
    });
    it("runs only the seed given", () => {
        assert.deepStrictEqual(selectedSeeds(200, { ROLEPAIR_FAULT_SEED: "17" }), [17]);
    });
    it("refuses a seed that is not one of the run's, naming the variable and the range", () => {
        for (const bad of ["0", "201", "x", "1.5", "-3"])
            assert.throws(
                () => selectedSeeds(200, { ROLEPAIR_FAULT_SEED: bad }),
                new RegExp(
                    `^Error: ROLEPAIR_FAULT_SEED=${JSON.stringify(bad).replace(".", "\\.")}: expected a seed from 1 to 200`,
                ),
            );
    });
    it("says how to replay a seed", () => {
        assert.strictEqual(
            replayHint(17),
            "replay: ROLEPAIR_FAULT_SEED=17 npm run test:reliability",
        );
    });
});
