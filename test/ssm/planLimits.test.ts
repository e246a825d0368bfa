// The built verify and SSM runner refuse a plan over maxServicesPerHost, or nested deeper than a
// plan can be, with exit 2 (usage) before any request: once a stack overflow exited 3.
import * as assert from "assert";
import * as path from "path";

import { maxServicesPerHost } from "../../contract/plan";
import { bundlePath, runProcess } from "../../lab/verifyProcess";

const runnerPath = path.join(__dirname, "..", "..", "dist", "ssm-runner.js");
const env = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    NODE_NO_WARNINGS: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};
const tooMany = JSON.stringify(
    Array.from({ length: 10_000 }, (_, i) => ({
        name: `s-${i}`,
        roleArn: `arn:aws:iam::123456789012:role/s-${i}`,
        bucket: `bucket-${i}`,
    })),
);
const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;

describe("plan limits in the built programs", () => {
    const programs: [string, string[], string][] = [
        ["verify --targets -", [bundlePath, "--targets", "-", "--json"], "--targets"],
        [
            "the SSM runner",
            [runnerPath, "--instance-id", "i-0123456789abcdef0", "--region", "us-east-1"],
            "stdin",
        ],
    ];
    for (const [label, args, flag] of programs) {
        it(`${label}: 10,000 targets exit 2 naming the limit`, async () => {
            const r = await runProcess(process.execPath, args, env, 60_000, tooMany);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.ok(
                r.stderr.includes(
                    `${flag}: has 10000 targets; expected at most ${maxServicesPerHost}`,
                ),
                r.stderr,
            );
        });
        it(`${label}: a plan nested 200,000 deep exits 2, not a stack overflow`, async () => {
            const r = await runProcess(process.execPath, args, env, 60_000, deep);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.ok(
                r.stderr.includes(`${flag}: nests arrays or objects more than 3 deep`),
                r.stderr,
            );
            assert.doesNotMatch(r.stderr, /Maximum call stack/);
        });
    }
});
