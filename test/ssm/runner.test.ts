// The SSM runner end to end: dist/ssm-runner.js, as the component's local command runs it, talks
// the real AWS JSON protocol to the SSM test double (lab/ssmDouble.ts), which runs the
// delivered scripts with bash on a temporary "host" whose credentials come only from the IMDSv2
// double; the real verify bundle proves against moto there. See lab/scenario.ts for the
// moto workarounds.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import type { VerifyTarget } from "../../contract/plan";
import type { ProofReport } from "../../contract/report";
import {
    chunkPayloadChars,
    maxCommentChars,
    maxParameterCharsPerCommand,
    ssmStdoutLimit,
} from "../../contract/ssmLimits";
import { fitReport } from "../../verify/host/proof/ssmWrapper";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { ImdsDoubles } from "../../lab/imds";
import { createMatrixScenario } from "../../lab/matrixScenario";
import { Moto, region, startMoto } from "../../lab/moto";
import {
    doubledInstanceId as instanceId,
    operatorEnv,
    operatorKey,
    operatorTool,
} from "../support/operatorSide";
import { createScenario, type Scenario, type Variant } from "../../lab/scenario";
import { SsmDouble, SsmDoubleOptions, startSsmDouble } from "../../lab/ssmDouble";
import {
    bundlePath,
    capturedOutputs,
    hostEnv,
    ProcessResult,
    removeHostHomes,
    runProcess,
} from "../../lab/verifyProcess";

const runnerPath = operatorTool("ssm-runner.js");

describe("the SSM runner proves on the host through Run Command (SSM double, moto)", function () {
    let moto: Moto;
    const imdsDoubles = new ImdsDoubles();
    const doubles: SsmDouble[] = [];
    const secrets: string[] = [];
    const operatorHome = makeTempDir("rolepair-operator-");
    const operator = operatorKey();
    secrets.push(operator.secret);

    before(async function () {
        if (!fs.existsSync(runnerPath) || !fs.existsSync(bundlePath))
            throw new Error(`${runnerPath} or ${bundlePath} is missing: run "npm run build" first`);
        moto = await startMoto();
    });
    after(async () => {
        await Promise.all(doubles.map((d) => d.stop()));
        await imdsDoubles.stopAll();
        await moto?.stop();
        removeHostHomes();
        removeTempDir(operatorHome);
    });

    interface HostRun extends ProcessResult {
        report?: ProofReport;
        double: SsmDouble;
        hostHome: string;
    }

    /** A host for one scenario (IMDSv2 double + SSM double), then the runner with `plan` on stdin. */
    async function runOnHost(
        host: Pick<Scenario, "hostRoleName" | "hostCredentials" | "secrets">,
        plan: VerifyTarget[],
        doubleOptions: Partial<SsmDoubleOptions> = {},
        extraArgs: string[] = [],
    ): Promise<HostRun> {
        secrets.push(...host.secrets);
        const imds = await imdsDoubles.start(host);
        const env = hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region });
        const double = await startSsmDouble({ instanceId, hostEnv: env, ...doubleOptions });
        doubles.push(double);
        const result = await runProcess(
            process.execPath,
            [
                runnerPath,
                "--instance-id",
                instanceId,
                "--region",
                region,
                "--poll-interval",
                "0.05",
                "--propagation-timeout",
                "20",
                ...extraArgs,
            ],
            operatorEnv(operator, operatorHome, double.endpoint),
            180_000,
            JSON.stringify(plan),
        );
        let report: ProofReport | undefined;
        if (result.stdout.trim() !== "") report = JSON.parse(result.stdout) as ProofReport;
        return { ...result, report, double, hostHome: env.HOME as string };
    }

    async function pair(variant: Variant) {
        const s = await createScenario(moto, variant);
        const plan: VerifyTarget[] = [
            { name: "target", roleArn: s.targetRoleArn, bucket: s.bucket },
        ];
        return { host: s, plan };
    }

    const runCommands = (d: SsmDouble) =>
        d.sent.filter((c) => c.comment === "rolepair verify: run");
    const partCommands = (d: SsmDouble) => d.sent.filter((c) => c.comment.includes(": part "));

    it("proves one service: Online after 3 polls, parts within the limits, InvocationDoesNotExist polled through, exit 0", async () => {
        const { host, plan } = await pair("correct");
        const run = await runOnHost(host, plan, { onlineAfterPolls: 3, missingInvocationPolls: 2 });
        assert.strictEqual(run.code, 0, run.stderr);
        assert.strictEqual(run.report?.ok, true);
        assert.deepStrictEqual(
            run.report.services.map((s) => [s.name, s.ok]),
            [["target", true]],
        );
        assert.strictEqual(run.double.describePolls, 4);
        assert.match(run.stderr, new RegExp(`waiting for ${instanceId} to be Online`));
        assert.ok(
            run.double.missingAnswers >= 2 * run.double.sent.length,
            "InvocationDoesNotExist first",
        );
        assert.strictEqual(run.double.unsigned, 0, "every request is SigV4-signed");

        // The bundle went in parts, none over the per-command ceiling; then one run command.
        const parts = partCommands(run.double);
        const bundleBytes = fs.statSync(bundlePath).size;
        assert.ok(parts.length >= 2, `${bundleBytes} bytes need several parts`);
        for (const c of run.double.sent) {
            const chars = Object.values(c.parameters)
                .flat()
                .reduce((n, v) => n + v.length, 0);
            assert.ok(chars <= maxParameterCharsPerCommand, `${c.comment}: ${chars} characters`);
            assert.ok(c.comment.length <= maxCommentChars);
            assert.strictEqual(c.documentName, "AWS-RunShellScript");
            assert.ok(c.timeoutSeconds !== undefined && c.timeoutSeconds >= 30);
        }
        // The script around each part (its stage checks: hostScript.ts) stays within 1,000 of the
        // 2,000 characters chunkPayloadChars leaves under maxParameterCharsPerCommand.
        assert.ok(parts.every((c) => c.parameters.commands[0].length < chunkPayloadChars + 1000));
        const [runCommand] = runCommands(run.double);
        assert.deepStrictEqual(runCommand.parameters.executionTimeout, ["600"]);
        const script = runCommand.parameters.commands[0];
        // ec2-user gets read access to the run's files, which stay root's; nothing is chowned.
        assert.match(
            script,
            /^ {2}chgrp -R -h "\$\(id -g ec2-user\)" "\$run" && chmod 750 "\$run"/m,
        );
        assert.doesNotMatch(script, /chown/);
        assert.match(script, /sudo -u ec2-user -H --/);
        assert.match(
            script,
            /--targets "\$run\/plan\.json" --region us-east-1 --propagation-timeout 20 --json/,
        );
        // The run removes what it staged on the host.
        assert.deepStrictEqual(
            fs.readdirSync(path.join(run.double.hostRoot, "var/lib/rolepair/ssm")),
            [],
        );
        assert.ok(!fs.existsSync(path.join(run.hostHome, ".rolepair-ssm")));
    });

    it("proves three services with the isolation matrix: exit 0, every row denied", async () => {
        const s = await createMatrixScenario(moto, "correct");
        const run = await runOnHost(s, s.plan());
        assert.strictEqual(run.code, 0, run.stderr);
        assert.strictEqual(run.report?.ok, true);
        assert.deepStrictEqual(
            run.report.services.map((x) => x.name),
            ["service-a", "service-b", "service-c"],
        );
        assert.strictEqual(run.report.isolation.length, 6);
        assert.ok(run.report.isolation.every((row) => row.ok));
    });

    it("a failed proof exits 1 with verify's report and diagnosis (the host role can read the bucket)", async () => {
        const { host, plan } = await pair("host-reads-bucket");
        const run = await runOnHost(host, plan);
        assert.strictEqual(run.code, 1, run.stderr);
        assert.strictEqual(run.report?.ok, false);
        const baseDenied = run.report.services[0].steps.find((x) => x.name === "base-denied");
        assert.strictEqual(baseDenied?.ok, false);
        assert.ok(baseDenied.diagnosis);
        assert.match(run.stderr, /ssm-runner: the proof failed on i-0123456789abcdef0 \(exit 1\)/);
        assert.ok(run.stderr.includes(baseDenied.diagnosis), "verify's diagnosis on stderr");
    });

    it("an instance never Online: exit 3 naming the instance and what to check, nothing sent", async () => {
        const { host, plan } = await pair("correct");
        const run = await runOnHost(host, plan, { onlineAfterPolls: Infinity }, [
            "--online-timeout",
            "1",
        ]);
        assert.strictEqual(run.code, 3, run.stderr);
        assert.strictEqual(run.stdout, "");
        for (const expected of [
            `instance ${instanceId} did not come Online in Systems Manager within 1 s`,
            "SSM agent",
            "AmazonSSMManagedInstanceCore",
            "ssm, ssmmessages and ec2messages",
            "NAT",
            "S3 gateway endpoint",
        ])
            assert.ok(run.stderr.includes(expected), `stderr names ${expected}: ${run.stderr}`);
        assert.deepStrictEqual(run.double.sent, []);
    });

    it("a bundle corrupted in transit is refused on the host: exit 3, verify never ran", async () => {
        const { host, plan } = await pair("correct");
        const run = await runOnHost(host, plan, { corruptDelivery: true });
        assert.strictEqual(run.code, 3, run.stderr);
        assert.strictEqual(run.stdout, "");
        assert.match(run.stderr, /the verify bundle arrived corrupted on i-0123456789abcdef0/);
        assert.match(
            run.stderr,
            /checksum mismatch for verify\.js\.gz\.b64: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}; refusing to run it/,
        );
        assert.doesNotMatch(run.stderr, /assume-role|base-identity/, "verify did not run");
    });

    it("a report cut by SSM's output limit is detected and said so: exit 3, no partial JSON", async () => {
        const { host, plan } = await pair("correct");
        // The double keeps fewer characters than the wrapper's budget, as SSM would a longer report.
        const run = await runOnHost(host, plan, { stdoutLimit: 1_500 });
        assert.strictEqual(run.code, 3, run.stderr);
        assert.strictEqual(run.stdout, "");
        assert.match(
            run.stderr,
            /verify's report did not arrive whole: SSM returned 1500 characters of stdout without the end marker \(GetCommandInvocation keeps only the first 24000 characters\), so it was truncated/,
        );
    });

    it("a delivery command that fails, or a run that times out, exits 3 saying which", async () => {
        const { host, plan } = await pair("correct");
        const failed = await runOnHost(host, plan, { failDelivery: true });
        assert.strictEqual(failed.code, 3, failed.stderr);
        assert.match(
            failed.stderr,
            /delivering part \d+\/\d+ \(verify\.js\) to i-0123456789abcdef0 ended Failed .*No space left on device/,
        );
        assert.deepStrictEqual(runCommands(failed.double), [], "nothing ran");

        const timedOut = await runOnHost(host, plan, { timeOutRun: true }, [
            "--command-timeout",
            "45",
        ]);
        assert.strictEqual(timedOut.code, 3, timedOut.stderr);
        assert.match(
            timedOut.stderr,
            /verify did not finish on i-0123456789abcdef0 within --command-timeout 45 s \(status TimedOut/,
        );
    });

    it("never prints a secret key or session token in any run above", () => {
        assert.ok(secrets.length >= 5 && capturedOutputs.length >= 14);
        for (const output of capturedOutputs)
            for (const secret of secrets)
                assert.ok(!output.includes(secret), "a secret appeared in the runner's output");
    });
});

describe("the on-host wrapper fits verify's report into SSM's 24,000 characters", () => {
    const step = (name: string, ok: boolean) => ({
        name,
        ok,
        expected: "AccessDenied on ListObjectsV2",
        observed: ok ? "AccessDenied" : "allowed: 3 objects listed",
        durationMs: 12,
        ...(ok ? {} : { diagnosis: `the host role can read the bucket: ${"x".repeat(500)}` }),
    });
    const report = (services: number, failing: number) => ({
        ok: failing === 0,
        steps: [step("base-identity", true)],
        identities: { base: "arn:aws:sts::123456789012:assumed-role/host/i-0" },
        services: Array.from({ length: services }, (_, i) => ({
            name: `service-${i}`,
            roleArn: `arn:aws:iam::123456789012:role/service-${i}`,
            bucket: `bucket-${i}`,
            ok: i >= failing,
            steps: ["base-denied", "assume-role", "put-object", "list-objects", "get-object"].map(
                (n, k) => step(n, i >= failing || k > 0),
            ),
            identities: { assumed: `arn:aws:sts::123456789012:assumed-role/service-${i}/s` },
            credentials: { accessKeyId: "****WXYZ", expiration: "2026-11-25T03:00:00Z" },
        })),
        isolation: [],
    });

    it("a report that fits goes as compact JSON, unchanged", () => {
        const small = report(3, 1);
        assert.strictEqual(fitReport(JSON.stringify(small, null, 2)), JSON.stringify(small));
    });

    it("a long report keeps ok, every failing step and its diagnosis, under the limit", () => {
        const big = report(60, 5);
        assert.ok(JSON.stringify(big).length > ssmStdoutLimit);
        const fitted = fitReport(JSON.stringify(big, null, 2));
        assert.ok(fitted.length < ssmStdoutLimit, `${fitted.length}`);
        const parsed = JSON.parse(fitted) as ProofReport & { reduced: string };
        assert.strictEqual(parsed.ok, false);
        assert.match(parsed.reduced, /exceeds SSM's 24000-character output limit/);
        const failing = parsed.services.filter((s) => !s.ok);
        assert.deepStrictEqual(
            failing.map((s) => s.name),
            ["service-0", "service-1", "service-2", "service-3", "service-4"],
        );
        for (const s of failing) {
            assert.deepStrictEqual(
                s.steps.map((x) => x.name),
                ["base-denied"],
            );
            assert.match(s.steps[0].diagnosis ?? "", /^the host role can read the bucket/);
        }
    });

    it("a very long failing report keeps the failing services that fit and counts the rest", () => {
        const huge = report(400, 200);
        const fitted = fitReport(JSON.stringify(huge));
        assert.ok(fitted.length < ssmStdoutLimit, `${fitted.length}`);
        const parsed = JSON.parse(fitted) as ProofReport & { reduced: string };
        assert.strictEqual(parsed.ok, false);
        assert.ok(parsed.services.length > 0 && parsed.services.every((s) => !s.ok));
        assert.match(parsed.reduced, /\d+ of 400 services left out/);
    });
});

describe("the SSM runner's usage errors", () => {
    it("exits 2 naming every bad flag at once, before any request", async () => {
        const result = await runProcess(
            process.execPath,
            [runnerPath, "--instance-id", "web-1", "--region", "Mars", "--command-timeout", "5"],
            { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
            30_000,
            "[]",
        );
        assert.strictEqual(result.code, 2, result.stderr);
        for (const expected of [
            'ssm-runner: --instance-id: got "web-1"; expected an instance id such as i-0123456789abcdef0',
            'ssm-runner: --region: got "Mars"; expected a region such as us-east-1',
            'ssm-runner: --command-timeout: got "5"; expected an integer from 30 to 172800',
        ])
            assert.ok(result.stderr.includes(expected), `${expected}\n${result.stderr}`);
        assert.match(result.stderr, /Usage: node dist\/ssm-runner\.js /);
    });
});
