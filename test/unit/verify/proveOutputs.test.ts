// prove reads `pulumi stack output --json --show-secrets` from a pipe: when that command fails, the
// pipe is empty and its own error is printed first, so prove's message must point back at it.
import * as assert from "assert";

import { readProveInputs } from "../../../verify/operator/prove/outputs";

describe("prove: reading the stack outputs", () => {
    it("empty input names the failed command above it, not a JSON parse error", () => {
        for (const text of ["", "\n", "  \n"])
            assert.throws(
                () => readProveInputs(text, "--outputs -"),
                (error: Error) =>
                    /^--outputs -: empty; expected what "pulumi stack output --json --show-secrets" prints \(did that command fail\? its error is above\)$/.test(
                        error.message,
                    ),
            );
    });

    it("text that is not JSON is still reported as such", () => {
        assert.throws(
            () => readProveInputs("{nope", "--outputs -"),
            (error: Error) =>
                /^--outputs -: not JSON \(.+\); expected what "pulumi stack output --json --show-secrets" prints$/.test(
                    error.message,
                ),
        );
    });
});
