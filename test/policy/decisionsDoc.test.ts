// docs/policy-decisions.md is what README links to for "what the policies mean": it must be the
// report the current code generates, or the reader is told something the code no longer does.
import * as assert from "assert";
import * as fs from "fs";

import { decisionReport, decisionsDocPath } from "../../lab/policyOracle";

describe("docs/policy-decisions.md", () => {
    it("is current: npm run policy-report -- --write regenerates it", async () => {
        const { markdown, unexpected } = await decisionReport();
        assert.strictEqual(unexpected, 0);
        assert.ok(
            fs.existsSync(decisionsDocPath) &&
                fs.readFileSync(decisionsDocPath, "utf8") === markdown,
            "docs/policy-decisions.md is stale: run npm run policy-report -- --write",
        );
    });
});
