// The SSM runner's --credential-agent switch: it asks the sync step to install the agent, only
// beside --profiles-path (the step it changes), and takes no value.
import * as assert from "assert";

import { UsageError } from "../../contract/usageError";
import { parseRunnerArgs } from "../../verify/operator/ssm/args";

const base = ["--instance-id", "i-0123456789abcdef0", "--region", "us-east-1"];
const path = ["--profiles-path", "/rolepair/rolepair/agent/rolepair/profiles"];

describe("the SSM runner's --credential-agent", () => {
    it("is off unless given, and on with --profiles-path", () => {
        assert.strictEqual(parseRunnerArgs([...base, ...path], "/r").credentialAgent, false);
        assert.strictEqual(
            parseRunnerArgs([...base, ...path, "--credential-agent"], "/r").credentialAgent,
            true,
        );
    });

    it("is refused without --profiles-path, and with a value", () => {
        const refused = (argv: string[]) => {
            try {
                parseRunnerArgs(argv, "/r");
            } catch (error) {
                assert.ok(error instanceof UsageError, String(error));
                return error.message;
            }
            assert.fail(`accepted ${argv.join(" ")}`);
        };
        assert.match(
            refused([...base, "--credential-agent"]),
            /--credential-agent: only with --profiles-path/,
        );
        assert.match(
            refused([...base, ...path, "--credential-agent=yes"]),
            /--credential-agent: takes no value/,
        );
    });
});
