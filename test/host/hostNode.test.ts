// The programs on the Nodes they meet. The host runs AL2023's nodejs22: the verify bundle proves a
// correct setup on Node 22 (the npm registry's `node@22`, in .tools/node-22 by
// `scripts/setup-test-tools.sh node22`) with no node_modules. On an older Node every bin says in
// one line which Node it needs and exits 2, before any of the SDK's code runs: tried with the
// machine's own Node when it is older than 22 (Debian's Node 20 here and in CI).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { startImds } from "../../lab/imds";
import { region, startMoto } from "../../lab/moto";
import { createScenario } from "../../lab/scenario";
import { bundlePath, hostEnv, removeHostHomes, runProcess } from "../../lab/verifyProcess";
import { machineNode } from "../support/machineNode";

const repoRoot = path.join(__dirname, "..", "..");
const node22 = path.join(repoRoot, ".tools", "node-22", "node_modules", ".bin", "node");
const bins = ["verify.js", "prove.js", "ssm-runner.js", "host-key.js"];

describe("verify bundle on the host's Node 22", () => {
    it("proves a correct setup with Node 22 and no node_modules", async () => {
        assert.ok(
            fs.existsSync(node22),
            `${node22} is missing: run "bash scripts/setup-test-tools.sh node22"`,
        );
        const moto = await startMoto();
        try {
            const scenario = await createScenario(moto, "correct");
            const imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);
            try {
                const env = hostEnv({
                    imdsEndpoint: imds.endpoint,
                    awsEndpoint: moto.endpoint,
                    region,
                });
                const version = await runProcess(node22, ["--version"], env);
                assert.match(version.stdout, /^v22\./);
                const result = await runProcess(
                    node22,
                    [
                        bundlePath,
                        "--bucket",
                        scenario.bucket,
                        "--role-arn",
                        scenario.targetRoleArn,
                        "--json",
                    ],
                    env,
                );
                assert.strictEqual(result.code, 0, result.stderr);
                const report = JSON.parse(result.stdout);
                assert.strictEqual(report.ok, true);
                // The report says which Node the host ran it on: this one, not the test's.
                assert.deepStrictEqual(report.host, { node: version.stdout.trim() });
            } finally {
                await imds.stop();
            }
        } finally {
            await moto.stop();
            removeHostHomes();
        }
    });
});

describe("the bins on a Node older than 22", () => {
    const old = machineNode();
    for (const bin of bins) {
        it(`${bin} names the Node it needs in one line and exits 2`, async function () {
            if (old === undefined || old.major >= 22) {
                // A machine whose own Node is supported has no older Node to try it with.
                this.skip();
            }
            const result = await runProcess(
                old!.binary,
                [path.join(repoRoot, "dist", bin), "--help"],
                { PATH: process.env.PATH ?? "" },
            );
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(
                result.stderr,
                `${bin}: needs Node.js 22 or newer; this is ${old!.version}\n`,
            );
        });
    }
});
