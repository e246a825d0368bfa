// The credential agent over SSM: dist/ssm-runner.js --credential-agent, as the component runs it,
// delivers the agent's program in parts beside the verify bundle (each SendCommand within its
// limit), and the run command's sync installs it from the delivered file into a stand-in root,
// making the agent's user and each service's group and token (real useradd/groupadd,
// rolepair-test-*) from moto's SSM parameters. The installed agent, run as its user (no systemd
// here), then answers verify, which runs as "ec2-user" (a real test user in the services' groups,
// IMDS closed to it as the lock does: test/support/ssmEc2User.ts): every agent step passes per
// service, through the runner and through prove (stack outputs). Before the agent listens, the
// same run fails at agent-credentials.
import * as assert from "assert";
import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";

import {
    agentProgramPath,
    agentTokenDirectory,
    agentTokenFile,
} from "../../contract/credentialAgent";
import type { VerifyTarget } from "../../contract/plan";
import { profilesParameterPath } from "../../contract/profileSync";
import type { ProofReport } from "../../contract/report";
import { maxParameterCharsPerCommand } from "../../contract/ssmLimits";
import { makeTempDir, removeTempDir, stopGroup } from "../../lab/cleanup";
import { Imds, startImds } from "../../lab/imds";
import { createMatrixScenario, type MatrixScenario } from "../../lab/matrixScenario";
import { Moto, region, startMoto } from "../../lab/moto";
import { freePort } from "../../lab/ports";
import { grantProfilesRead, putProfile, venvBin } from "../../lab/profileHost";
import { SsmDouble, startSsmDouble } from "../../lab/ssmDouble";
import { hostEnv, removeHostHomes, runProcess } from "../../lab/verifyProcess";
import {
    accountEntry,
    expectAccounts,
    makeTestUser,
    removeTestAccounts,
} from "../support/localAccounts";
import { startInstalledAgent } from "../support/installedAgent";
import {
    doubledInstanceId as instanceId,
    operatorEnv,
    operatorKey,
    operatorTool,
} from "../support/operatorSide";
import { makeEc2UserShims, type Ec2UserShims } from "../support/ssmEc2User";
import { agentSteps, stepOutcomes } from "../support/proofSteps";

const runnerPath = operatorTool("ssm-runner.js");
const agentUser = "rolepair-test-agent";
const ec2User = "rolepair-test-ec2";
const names = ["test-ssm-a", "test-ssm-b"];

describe("the credential agent installed and proven over SSM (SSM double, moto, real accounts)", function () {
    this.timeout(240_000);
    let moto: Moto;
    let imds: Imds;
    let scenario: MatrixScenario;
    let double: SsmDouble;
    let shims: Ec2UserShims;
    let agent: ChildProcess | undefined;
    let plan: VerifyTarget[];
    const root = makeTempDir("rolepair-ssmagent-root-");
    const operatorHome = makeTempDir("rolepair-operator-");
    const operator = operatorKey();
    const profilesPath = profilesParameterPath("rolepair", "dev", `ssmagent${process.pid}`);
    const outputs: string[] = [];

    before(async function () {
        if (!fs.existsSync(runnerPath)) throw new Error(`${runnerPath} is missing: npm run build`);
        expectAccounts("user", agentUser);
        expectAccounts("group", agentUser, ...names.map((n) => `rolepair-${n}`));
        makeTestUser(ec2User);
        // As on a host: / and /var/lib are root's and traversable by every user.
        fs.chmodSync(root, 0o755);
        fs.mkdirSync(path.join(root, "var/lib"), { recursive: true });
        for (const dir of ["var", "var/lib"]) fs.chmodSync(path.join(root, dir), 0o755);
        moto = await startMoto();
        scenario = await createMatrixScenario(moto, "correct");
        await grantProfilesRead(moto, scenario.hostRoleName);
        const services = scenario.services.slice(0, 2);
        plan = services.map((s, i) => ({
            name: names[i],
            roleArn: s.roleArn,
            bucket: s.bucket,
            agent: true,
        }));
        for (const target of plan)
            await putProfile(moto, profilesPath, {
                name: target.name,
                roleArn: target.roleArn,
                region,
                agent: { users: [ec2User] },
            });
        imds = await startImds(scenario.hostRoleName, scenario.hostCredentials, region);
        shims = makeEc2UserShims(ec2User, `http://127.0.0.1:${await freePort()}`);
        const env = hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region });
        double = await startSsmDouble({
            instanceId,
            hostEnv: {
                ...env,
                PATH: `${shims.dir}:${venvBin}:${process.env.PATH}`,
                ROLEPAIR_HOST_ROOT: root,
                ROLEPAIR_AGENT_USER: agentUser,
            },
        });
    });
    after(async () => {
        if (agent !== undefined) await stopGroup(agent);
        await double?.stop();
        await imds?.stop();
        await moto?.stop();
        shims?.remove();
        removeTestAccounts();
        removeHostHomes();
        removeTempDir(root);
        removeTempDir(operatorHome);
    });

    async function runRunner() {
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
                "5",
                "--profiles-path",
                profilesPath,
                "--credential-agent",
            ],
            operatorEnv(operator, operatorHome, double.endpoint),
            200_000,
            JSON.stringify(plan),
        );
        outputs.push(result.stdout, result.stderr);
        assert.ok(result.stdout.trim() !== "", `no report (exit ${result.code}): ${result.stderr}`);
        return { ...result, report: JSON.parse(result.stdout) as ProofReport };
    }

    const tokenDir = path.join(root, agentTokenDirectory);
    const agentFlags = (url: string) => ["--agent-url", url, "--agent-token-dir", tokenDir];

    it("delivers the agent's program in parts, installs it from them, and fails at agent-credentials while no agent listens", async () => {
        shims.setVerifyFlags(agentFlags(`http://127.0.0.1:${await freePort()}/v1/credentials`));
        const first = await runRunner();
        assert.strictEqual(first.code, 1, first.stderr);

        // Every command within SendCommand's limit; the agent's program in parts of its own.
        for (const sent of double.sent) {
            const chars = sent.parameters.commands.join("").length;
            assert.ok(chars <= maxParameterCharsPerCommand, `${sent.comment}: ${chars}`);
        }
        const parts = double.sent.filter((c) => c.comment.includes(": part "));
        const agentParts = parts.filter((c) =>
            /> "\$stage\/credential-agent\.js\.part-\d{3}"$/.test(c.parameters.commands[0]),
        );
        assert.ok(agentParts.length >= 2, `${agentParts.length} parts of the agent's program`);
        const [run] = double.sent.filter((c) => c.comment === "rolepair verify: run");
        assert.match(
            run.parameters.commands[0],
            /cat -- "\$run\/credential-agent\.js" >"\$agent_program"/,
        );
        assert.doesNotMatch(run.parameters.commands[0], /^ROLEPAIR_AGENT$/m);

        // Installed byte for byte; each service's token made on the host.
        assert.strictEqual(
            fs.readFileSync(path.join(root, agentProgramPath), "utf8"),
            fs.readFileSync(operatorTool("credential-agent.js"), "utf8"),
        );
        for (const name of names)
            assert.ok(fs.statSync(path.join(root, agentTokenFile(name))).isFile());

        for (const service of first.report.services) {
            const step = service.steps.find((s) => s.name === "agent-credentials");
            assert.strictEqual(step?.ok, false, service.name);
        }
        assert.match(first.stderr, /the proof failed on i-0123456789abcdef0 \(exit 1\)/);
    });

    it("with the installed agent listening, every agent step passes per service, IMDS refused to ec2-user", async () => {
        const started = await startInstalledAgent(root, agentUser, {
            imdsEndpoint: imds.endpoint,
            awsEndpoint: moto.endpoint,
        });
        agent = started.process;
        shims.setVerifyFlags(agentFlags(`http://127.0.0.1:${started.port}/v1/credentials`));
        const second = await runRunner();
        assert.strictEqual(second.code, 0, second.stderr);
        assert.strictEqual(second.report.ok, true);
        assert.deepStrictEqual(
            stepOutcomes(second.report, agentSteps),
            names.map((name) => [name, agentSteps.map(() => true)]),
        );
        const refused = second.report.steps.find((s) => s.name === "imds-refused");
        assert.strictEqual(refused?.ok, true);
        // verify ran as "ec2-user", not as root.
        const uid = accountEntry("passwd", ec2User)?.[2];
        assert.match(String(refused.observed), new RegExp(`refused UID ${uid}'s token request`));
        assert.strictEqual(second.report.imds?.refused, true);
        // The run removed its stage.
        assert.deepStrictEqual(fs.readdirSync(path.join(root, "var/lib/rolepair/ssm")), []);
        outputs.push(...started.log);
    });

    it("prove over SSM, from the stack's outputs, installs (or keeps) the agent and proves through it", async () => {
        const sentBefore = double.sent.length;
        const file = path.join(operatorHome, "outputs.json");
        const proofTarget = {
            transport: "ssm",
            instanceId,
            region,
            plan,
            propagationTimeoutSeconds: 5,
            profilesPath,
        };
        fs.writeFileSync(file, JSON.stringify({ instanceId, publicIp: "", proofTarget }));
        const r = await runProcess(
            process.execPath,
            [operatorTool("prove.js"), "--outputs", file, "--poll-interval", "0.05", "--json"],
            operatorEnv(operator, operatorHome, double.endpoint),
            200_000,
        );
        outputs.push(r.stdout, r.stderr);
        assert.strictEqual(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout) as ProofReport;
        assert.deepStrictEqual(
            stepOutcomes(report, ["agent-cross-token"]),
            names.map((name) => [name, [true]]),
        );
        const sent = double.sent.slice(sentBefore);
        assert.ok(
            sent.some((c) => /credential-agent\.js\.part-000"$/.test(c.parameters.commands[0])),
            "prove delivered the agent's program in parts",
        );
    });

    it("prints no token, secret key or session token", () => {
        const tokens = names.map((n) =>
            fs.readFileSync(path.join(root, agentTokenFile(n)), "utf8").trim(),
        );
        const secrets = [...tokens, ...scenario.secrets, operator.secret];
        assert.ok(outputs.length >= 6);
        for (const output of outputs)
            for (const secret of secrets)
                assert.ok(!output.includes(secret), "a secret appeared in the runner's output");
    });
});
