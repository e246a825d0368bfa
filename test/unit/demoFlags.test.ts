// The demo's flags: --help, --full-command, --broken-grant; anything else a usage error naming it.
import * as assert from "assert";

import { UsageError } from "../../contract/usageError";
import { parseDemoFlags } from "../../scripts/demoFlags";

describe("the demo's flags", () => {
    it("with none runs the correct demo with the short command line", () => {
        assert.deepStrictEqual(parseDemoFlags([]), {
            help: false,
            fullCommand: false,
            brokenGrant: false,
        });
    });

    it("reads --help, -h, --full-command and --broken-grant", () => {
        assert.strictEqual(parseDemoFlags(["--help"]).help, true);
        assert.strictEqual(parseDemoFlags(["-h"]).help, true);
        assert.deepStrictEqual(parseDemoFlags(["--broken-grant", "--full-command"]), {
            help: false,
            fullCommand: true,
            brokenGrant: true,
        });
    });

    it("rejects an unknown flag, naming it and what is accepted", () => {
        assert.throws(
            () => parseDemoFlags(["--full-command", "--brokengrant"]),
            (error: unknown) =>
                error instanceof UsageError &&
                error.flag === "--brokengrant" &&
                /accepted: --full-command, --broken-grant, --help/.test(error.message),
        );
    });
});
