// The demo's flags: --help, --full-command; anything else a usage error naming it.
import * as assert from "assert";

import { UsageError } from "../../contract/usageError";
import { parseDemoFlags } from "../../scripts/demoFlags";

describe("the demo's flags", () => {
    it("with none runs the correct demo with the short command line", () => {
        assert.deepStrictEqual(parseDemoFlags([]), {
            help: false,
            fullCommand: false,
        });
    });

    it("reads --help, -h and --full-command", () => {
        assert.strictEqual(parseDemoFlags(["--help"]).help, true);
        assert.strictEqual(parseDemoFlags(["-h"]).help, true);
        assert.deepStrictEqual(parseDemoFlags(["--full-command"]), {
            help: false,
            fullCommand: true,
        });
    });

    it("rejects an unknown flag, naming it and what is accepted", () => {
        assert.throws(
            () => parseDemoFlags(["--full-command", "--ful-command"]),
            (error: unknown) =>
                error instanceof UsageError &&
                error.flag === "--ful-command" &&
                /accepted: --full-command, --help/.test(error.message),
        );
    });
});
