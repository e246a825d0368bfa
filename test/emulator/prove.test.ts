// prove end to end over SSM: dist/prove.js reads a stack's outputs, talks the AWS JSON protocol to
// the SSM double (lab/ssmDouble.ts), which runs the delivered scripts with bash on a
// temporary "host": the profile sync agent (AWS CLI against moto's SSM Parameter Store, host
// credentials from the IMDSv2 double) and the real verify bundle against moto. The drift case: an
// S3 read policy attached to the host role by hand makes prove fail with base-denied's diagnosis.
import * as assert from "assert";
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { serviceAccessPolicy } from "../../components/policies";
import { profilesParameterPath } from "../../contract/profileSync";
import type { ProofTarget } from "../../contract/proofTarget";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { Moto, region } from "../../lab/moto";
import {
    doubledInstanceId as instanceId,
    operatorEnv,
    operatorKey,
    operatorTool,
} from "../support/operatorSide";
import { type ProfiledHost, startProfiledHost, venvBin } from "../../lab/profileHost";
import type { Scenario } from "../../lab/scenario";
import { SsmDouble, startSsmDouble } from "../../lab/ssmDouble";
import {
    assertNoSecretIn,
    capturedOutputs,
    hostEnv,
    removeHostHomes,
    runProcess,
} from "../../lab/verifyProcess";

const provePath = operatorTool("prove.js");

describe("prove re-runs the proof from stack outputs, over SSM (SSM double, moto)", () => {
    let profiled: ProfiledHost;
    let moto: Moto;
    let double: SsmDouble;
    let scenario: Scenario;
    let hostHome: string;
    const work = makeTempDir("rolepair-prove-test-");
    const operator = operatorKey();
    const profilesPath = profilesParameterPath("rolepair", "dev", `prove${process.pid}`);
    let target: ProofTarget;
    const firstOutput = capturedOutputs.length;

    before(async () => {
        if (!fs.existsSync(provePath)) throw new Error(`${provePath} is missing: npm run build`);
        profiled = await startProfiledHost(profilesPath);
        ({ moto, scenario } = profiled);
        const { imds, root } = profiled;
        const env = hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region });
        hostHome = env.HOME as string;
        double = await startSsmDouble({
            instanceId,
            hostEnv: {
                ...env,
                // The agent writes ~/.aws/config, which verify's profile steps then read.
                AWS_CONFIG_FILE: path.join(hostHome, ".aws", "config"),
                PATH: `${venvBin}:${process.env.PATH}`,
                ROLEPAIR_HOST_ROOT: root,
            },
        });
        target = {
            transport: "ssm",
            instanceId,
            region,
            plan: profiled.plan,
            propagationTimeoutSeconds: 20,
            profilesPath,
        };
    });
    after(async () => {
        await double?.stop();
        await profiled?.stop();
        removeHostHomes();
        removeTempDir(work);
    });

    function prove(outputs: unknown, extra: string[] = []) {
        const file = path.join(work, `outputs-${randomBytes(4).toString("hex")}.json`);
        fs.writeFileSync(file, JSON.stringify(outputs));
        return runProcess(
            process.execPath,
            [provePath, "--outputs", file, "--poll-interval", "0.05", ...extra],
            operatorEnv(operator, work, double.endpoint),
            240_000,
        );
    }
    const stackOutputs = () => ({ instanceId, publicIp: "", proofTarget: target });

    it("proves the live stack: syncs the profile first, prints verify's checklist, exit 0", async () => {
        const r = await prove(stackOutputs());
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /PROOF HOLDS/);
        assert.match(r.stdout, /✓ profile-config\s+\[profile target\]/);
        assert.match(r.stdout, /✓ base-denied\s+AccessDenied/);
        assert.match(
            fs.readFileSync(path.join(hostHome, ".aws", "config"), "utf8"),
            new RegExp(`^\\[profile target\\]\\nrole_arn = ${scenario.targetRoleArn}\\n`),
        );
        assert.ok(double.sent.some((c) => c.comment === "rolepair verify: run"));
    });

    it("catches drift made by hand: an S3 read policy on the host role fails base-denied (exit 1), removing it passes again", async () => {
        const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: scenario.hostRoleName,
                PolicyName: "hand-made-s3-read",
                PolicyDocument: JSON.stringify(
                    serviceAccessPolicy(`arn:aws:s3:::${scenario.bucket}`, ["s3:GetObject"]),
                ),
            }),
        );
        const drifted = await prove(stackOutputs(), ["--json"]);
        assert.strictEqual(drifted.code, 1, drifted.stderr);
        const report = JSON.parse(drifted.stdout);
        const failed = report.services[0].steps.find((s: { ok: boolean }) => !s.ok);
        assert.strictEqual(failed.name, "base-denied");
        assert.match(failed.diagnosis, /the host role can already read the bucket/);
        assert.match(drifted.stderr, /prove: .*base-denied/);

        await iam.send(
            new DeleteRolePolicyCommand({
                RoleName: scenario.hostRoleName,
                PolicyName: "hand-made-s3-read",
            }),
        );
        const fixed = await prove(stackOutputs());
        assert.strictEqual(fixed.code, 0, fixed.stderr);
    });

    it("exit 2, naming what is missing, for outputs with no stack or with verification off", async () => {
        const none = await prove({});
        assert.strictEqual(none.code, 2);
        assert.match(none.stderr, /no "proofTarget" output, and no stack output of this project/);
        const off = await prove({ instanceId, publicIp: "198.51.100.10" });
        assert.strictEqual(off.code, 2);
        assert.match(off.stderr, /its verification is off \(verify: false\)/);
        const broken = await prove({ proofTarget: { ...target, plan: [] } });
        assert.strictEqual(broken.code, 2);
        assert.match(broken.stderr, /proofTarget\.plan/);
        assert.strictEqual(double.sent.filter((c) => c.comment.includes("run")).length, 3);
    });

    it("never prints a secret", () => {
        assertNoSecretIn(
            capturedOutputs.slice(firstOutput),
            [operator.secret, ...scenario.secrets],
            6,
        );
    });
});
