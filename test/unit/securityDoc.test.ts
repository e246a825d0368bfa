// docs/security.md records the second review's awsguard and checkov findings, each with its
// reason, and says why npm run security-scan does not run them.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { repoRoot } from "../../lab/program";

describe("docs/security.md", () => {
    const doc = fs.readFileSync(path.join(repoRoot, "docs", "security.md"), "utf8");
    const row = (checker: string) =>
        doc.split("\n").find((line) => line.startsWith("|") && line.includes(checker));

    for (const [checker, reason] of [
        ["awsguard `ec2-volume-inuse`", /false positive: the rule reads only `ebsBlockDevices`/],
        ["awsguard, its bucket-logging rule", /separate `aws\.s3\.BucketLogging` resource/],
        ["checkov CKV2_AWS_62", /no security effect/],
    ] as const) {
        it(`has a row for ${checker} with its reason`, () => {
            assert.match(String(row(checker)), reason);
        });
    }

    it("no longer calls the checkov and awsguard rows unrun, and says why the scan skips them", () => {
        assert.doesNotMatch(doc, /read, not run/);
        assert.match(doc, /Why `npm run security-scan` does not run checkov or awsguard/);
    });
});
