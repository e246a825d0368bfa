// The verification as the component runs it: the bundle copied to the host over SSH, then the
// exact command line buildVerifyPlanCommand makes for the component (the plan on stdin), run by a real sshd. AWS is the
// moto emulator; the host's credentials come from the IMDSv2 double; the AWS profile file is the
// one the host's profile sync renders (contract/profileParameters.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { buildVerifyPlanCommand, verifyPlanJson } from "../../components/commandLines";
import { parseVerificationReport } from "../../components/proofReport";
import { remoteVerifyPath } from "../../components/sshTransport";
import { renderProfileBlock, renderProfilesConfig } from "../../contract/profileParameters";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { createMatrixScenario } from "../../lab/matrixScenario";
import { Imds, ImdsDoubles } from "../../lab/imds";
import { Moto, region, startMoto } from "../../lab/moto";
import { profileSteps, roundTripSteps } from "../support/proofSteps";
import { createScenario, Scenario } from "../../lab/scenario";
import { SshHost, startSshHost } from "../../lab/sshd";
import { bundlePath, capturedOutputs } from "../../lab/verifyProcess";

describe("verification on an SSH host", () => {
    let moto: Moto;
    let host: SshHost;
    const imdsDoubles = new ImdsDoubles();
    const secrets: string[] = [];
    const configDirs: string[] = [];

    before(async () => {
        [moto, host] = await Promise.all([startMoto(), startSshHost()]);
        const copied = await host.copy(bundlePath, remoteVerifyPath);
        assert.strictEqual(copied.code, 0, copied.stderr);
    });
    after(async () => {
        await imdsDoubles.stopAll();
        await Promise.all([moto?.stop(), host?.stop()]);
        for (const dir of configDirs) removeTempDir(dir);
    });

    /** The host's environment as sshd passes it: AWS via the emulator, credentials via IMDS. */
    function hostEnvironment(imds: Imds, awsConfig: string): Record<string, string> {
        const dir = makeTempDir("rolepair-aws-");
        configDirs.push(dir);
        const configFile = path.join(dir, "config");
        fs.writeFileSync(configFile, awsConfig);
        return {
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
            AWS_EC2_METADATA_V1_DISABLED: "true",
            AWS_CONFIG_FILE: configFile,
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
            NODE_NO_WARNINGS: "1",
        };
    }

    async function verifyOnHost(scenario: Scenario, externalId?: string) {
        secrets.push(...scenario.secrets);
        const imds = await imdsDoubles.start(scenario);
        const env = hostEnvironment(
            imds,
            renderProfileBlock({
                name: "target",
                roleArn: scenario.targetRoleArn,
                region,
                ...(externalId !== undefined ? { externalId } : {}),
            }),
        );
        const command = buildVerifyPlanCommand({
            scriptPath: remoteVerifyPath,
            region,
            propagationTimeoutSeconds: 2,
        });
        // The pair's plan, as the component sends it: one service named after its profile.
        const plan = verifyPlanJson([
            {
                name: "target",
                roleArn: scenario.targetRoleArn,
                bucket: scenario.bucket,
                ...(externalId !== undefined ? { externalId } : {}),
                objectActions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                profile: "target",
            },
        ]);
        const result = await host.run(command, env, plan);
        return { command, result };
    }

    it("proves a correct setup over SSH with the component's command line and JSON report", async () => {
        const scenario = await createScenario(moto, "correct");
        const { command, result } = await verifyOnHost(scenario);
        assert.match(command, /^node \/home\/ec2-user\/rolepair-verify\.js --targets - /);
        assert.strictEqual(result.code, 0, result.stderr);
        const report = parseVerificationReport(result.stdout);
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(
            report.steps.map((s) => s.name),
            ["base-identity"],
        );
        assert.deepStrictEqual(
            report.services[0].steps.map((s) => s.name),
            [...roundTripSteps, ...profileSteps],
        );
        assert.strictEqual(report.identities.base, scenario.hostSessionArn);
    });

    it("proves a setup with an ExternalId through the plan and the profile's external_id", async () => {
        const scenario = await createScenario(moto, "correct", "ext-2026");
        const { result } = await verifyOnHost(scenario, "ext-2026");
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(parseVerificationReport(result.stdout).ok, true);
    });

    it("a broken setup exits 1 over SSH, with the diagnosis on stderr for `pulumi up` to show", async () => {
        const scenario = await createScenario(moto, "host-reads-bucket");
        const { result } = await verifyOnHost(scenario);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(parseVerificationReport(result.stdout).ok, false);
        assert.match(
            result.stderr,
            /service "target" \(bucket [\w-]+\): step "base-denied" failed: .* Likely cause: the host role can already read the bucket/,
        );
    });

    it("proves three services over SSH: the plan command line, the plan JSON on stdin, one profile each", async () => {
        const scenario = await createMatrixScenario(moto, "correct");
        secrets.push(...scenario.secrets);
        const imds = await imdsDoubles.start(scenario);
        const env = hostEnvironment(
            imds,
            renderProfilesConfig(
                scenario.services.map((s) => ({
                    name: s.name,
                    roleArn: s.roleArn,
                    region,
                })),
            ),
        );
        const command = buildVerifyPlanCommand({
            scriptPath: remoteVerifyPath,
            region,
            propagationTimeoutSeconds: 2,
        });
        assert.strictEqual(
            command,
            `node /home/ec2-user/rolepair-verify.js --targets - --region ${region} --propagation-timeout 2 --json`,
        );
        const plan = verifyPlanJson(scenario.plan((s) => ({ profile: s.name })));
        const result = await host.run(command, env, plan);
        assert.strictEqual(result.code, 0, result.stderr);
        const report = parseVerificationReport(result.stdout);
        assert.strictEqual(report.ok, true);
        assert.strictEqual(report.identities.base, scenario.hostSessionArn);
        assert.deepStrictEqual(
            report.services.map((s) => [s.name, s.bucket, s.ok, s.steps.length]),
            scenario.services.map((s) => [s.name, s.bucket, true, 11]),
        );
        assert.deepStrictEqual(
            report.isolation.map((r) => [r.service, r.ok]),
            [
                ["service-a", true],
                ["service-a", true],
                ["service-b", true],
                ["service-b", true],
                ["service-c", true],
                ["service-c", true],
            ],
        );
    });

    it("a leaking service fails over SSH, the diagnosis naming the service and the bucket", async () => {
        const scenario = await createMatrixScenario(moto, "b-lists-a");
        secrets.push(...scenario.secrets);
        const imds = await imdsDoubles.start(scenario);
        const command = buildVerifyPlanCommand({ scriptPath: remoteVerifyPath, region });
        const result = await host.run(
            command,
            hostEnvironment(imds, ""),
            verifyPlanJson(scenario.plan()),
        );
        assert.strictEqual(result.code, 1, result.stderr);
        assert.strictEqual(parseVerificationReport(result.stdout).ok, false);
        assert.match(
            result.stderr,
            new RegExp(
                `service "service-b" isolation from bucket ${scenario.services[0].bucket} failed: .* Likely cause: service service-b can list bucket`,
            ),
        );
    });

    it("never prints a secret over SSH", () => {
        assert.ok(secrets.length > 0 && capturedOutputs.length > 0);
        for (const output of capturedOutputs)
            for (const secret of secrets) assert.ok(!output.includes(secret));
    });
});
