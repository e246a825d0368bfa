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
        ["checkov CKV2_AWS_34", /`String` by design: .*no secret/],
        ['"Data Exfiltration" (`ssm:GetParametersByPath`)', /Scoped to this host's own path/],
    ] as const) {
        it(`has a row for ${checker} with its reason`, () => {
            assert.match(String(row(checker)), reason);
        });
    }

    it("no longer calls the checkov and awsguard rows unrun, and says why the scan skips them", () => {
        assert.doesNotMatch(doc, /read, not run/);
        assert.match(doc, /Why `npm run security-scan` does not run checkov or awsguard/);
    });

    it("states the host's trust model and why an ExternalId is no secret, citing AWS", () => {
        assert.match(doc, /## The host's profiles: what the host trusts/);
        assert.match(doc, /may choose which role a profile names, never\s+what runs on the host/);
        assert.match(
            doc,
            /docs\.aws\.amazon\.com\/IAM\/latest\/UserGuide\/id_roles_common-scenarios_third-party\.html/,
        );
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        assert.match(readme, /security\.md#the-hosts-profiles-what-the-host-trusts/);
        assert.ok(readme.split("\n").length <= 200, "README.md over 200 lines");
    });
});
