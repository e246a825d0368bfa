// The bundle on Node 18, the oldest Node the host may have: the distribution's Node 18 extracted
// into .tools/node18 by `scripts/setup-test-tools.sh node18`, run against the emulator. In the host
// layer because, like sshd, it needs root (a private mount namespace). Debian's build loads
// some builtins from /usr/share/nodejs, so the process runs in a private mount namespace where
// /usr/share is the extracted tree; the machine's own files are untouched.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { startImds } from "../../lab/imds";
import { region, startMoto } from "../../lab/moto";
import { createScenario } from "../../lab/scenario";
import { bundlePath, hostEnv, removeHostHomes, runProcess } from "../../lab/verifyProcess";

const node18 = path.join(__dirname, "..", "..", ".tools", "node18");

describe("verify bundle on Node 18", () => {
    it("proves a correct setup with Node 18 and no node_modules", async () => {
        const binary = path.join(node18, "usr", "bin", "node");
        assert.ok(
            fs.existsSync(binary),
            `${binary} is missing: run "bash scripts/setup-test-tools.sh node18" as root (it needs apt and Debian's nodejs 18 package)`,
        );
        const libDir = fs
            .readdirSync(path.join(node18, "usr", "lib"))
            .find((d) => d.endsWith("-linux-gnu"));
        const moto = await startMoto();
        try {
            const scenario = await createScenario(moto, "correct");
            const imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);
            try {
                const env = {
                    ...hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region }),
                    LD_LIBRARY_PATH: path.join(node18, "usr", "lib", libDir ?? ""),
                };
                const command = [
                    `mount --bind '${path.join(node18, "usr", "share")}' /usr/share`,
                    `'${binary}' --version`,
                    `exec '${binary}' '${bundlePath}' --bucket ${scenario.bucket} --role-arn ${scenario.targetRoleArn} --json`,
                ].join(" && ");
                const result = await runProcess(
                    "unshare",
                    ["--mount", "--propagation", "private", "sh", "-c", command],
                    env,
                );
                const [version, ...rest] = result.stdout.split("\n");
                assert.match(version, /^v18\./);
                assert.strictEqual(result.code, 0, result.stderr);
                assert.strictEqual(JSON.parse(rest.join("\n")).ok, true);
            } finally {
                await imds.stop();
            }
        } finally {
            await moto.stop();
            removeHostHomes();
        }
    });
});
