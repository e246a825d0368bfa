// One cap on the services of one host (maxServicesPerHost), enforced where a plan or a services
// map is read: verify's --targets, the SSM runner's plan (both through parsePlanText), the
// SharedDevHost component and the services stack's config. A plan nested deeper than a plan can
// be is a usage error before JSON.parse, not a stack overflow.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { SharedDevHost } from "../../components/sharedDevHost";
import { parseArgs } from "../../verify/host/proof/args";
import { maxPlanNesting, maxServicesPerHost, parsePlanText } from "../../contract/plan";
import { UsageError } from "../../contract/usageError";
import { repoRoot } from "../../lab/program";
import { refusedConstruction, refusedProgram } from "../support/refusal";

const plan = (count: number) =>
    JSON.stringify(
        Array.from({ length: count }, (_, i) => ({
            name: `service-${i}`,
            roleArn: `arn:aws:iam::123456789012:role/service-${i}`,
            bucket: `bucket-${i}`,
        })),
    );
const withTargets = (text: string) =>
    parseArgs(["--targets", "plan.json", "--region", "us-east-1"], {}, () => text);

describe("the services-per-host cap", () => {
    it(`is ${maxServicesPerHost}`, () => assert.strictEqual(maxServicesPerHost, 50));

    it(`verify --targets takes ${maxServicesPerHost} targets and refuses one more (usage error)`, () => {
        assert.strictEqual(
            withTargets(plan(maxServicesPerHost)).targets.length,
            maxServicesPerHost,
        );
        assert.throws(
            () => withTargets(plan(maxServicesPerHost + 1)),
            (error: Error) =>
                error instanceof UsageError &&
                error.message ===
                    `--targets: has ${maxServicesPerHost + 1} targets; expected at most ${maxServicesPerHost} (maxServicesPerHost: the services one host proves)`,
        );
        assert.throws(() => withTargets(plan(10_000)), UsageError);
    });

    it("refuses a plan nested 100,000 deep as a usage error, not a stack overflow", () => {
        const nested = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
        for (const text of [nested(100_000), `[{"name":${nested(100_000)}}]`, nested(4)]) {
            assert.throws(
                () => parsePlanText(text, "stdin"),
                (error: Error) =>
                    error instanceof UsageError &&
                    error.message.startsWith(
                        `stdin: nests arrays or objects more than ${maxPlanNesting} deep`,
                    ),
            );
        }
        // Brackets inside strings do not count.
        const quoted = JSON.stringify([
            { name: "a", roleArn: "arn:aws:iam::123456789012:role/[[[[", bucket: "bucket-a" },
        ]);
        assert.throws(() => parsePlanText(quoted, "stdin"), /roleArn: got "arn:aws/);
    });

    it(`SharedDevHost refuses ${maxServicesPerHost + 1} services and registers nothing`, async () => {
        const services = Object.fromEntries(
            Array.from({ length: maxServicesPerHost + 1 }, (_, i) => [`service-${i}`, {}]),
        );
        const result = await refusedConstruction(
            () => new SharedDevHost("dev", { sshIngressCidr: "203.0.113.7/32", services }),
        );
        assert.match(
            result.message,
            /^Invalid services: \(51 services\)\. Accepted: at most 50 services on one host \(maxServicesPerHost/,
        );
        assert.strictEqual(result.registered, 0);
    });

    it(`the services stack's config refuses ${maxServicesPerHost + 1} entries and registers nothing`, async () => {
        const entries = Array.from({ length: maxServicesPerHost + 1 }, (_, i) => `service-${i}`);
        const result = await refusedProgram("services", {
            "rolepair:services": JSON.stringify(entries),
        });
        assert.match(
            result.message,
            /^Invalid rolepair:services: \(51 services\)\. Accepted: at most 50 services on one host/,
        );
        assert.strictEqual(result.registered, 0);
    });

    it("docs/components.md and docs/verify.md state the number", () => {
        for (const doc of ["components.md", "verify.md"]) {
            const text = fs.readFileSync(path.join(repoRoot, "docs", doc), "utf8");
            assert.match(
                text,
                new RegExp(`at\\s+most\\s+${maxServicesPerHost}\\s+services\\s+per\\s+host`),
                doc,
            );
        }
    });
});
