// The verify bundle against moto (a real AWS API emulator, IAM enforcement on), run as a child
// process with the host's environment: credentials only from an IMDSv2 double. See
// lab/scenario.ts for where moto differs from AWS and how the fixtures adapt.
import * as assert from "assert";
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";

import type { ProofReport, StepName, StepResult } from "../../contract/report";
import { EmulatedHosts } from "../../lab/emulatedHosts";
import { region } from "../../lab/moto";
import { passed, roundTripSteps } from "../support/proofSteps";
import { createScenario, Scenario, Variant } from "../../lab/scenario";
import { hostEnv, runVerify } from "../../lab/verifyProcess";

/** The first failed step: host steps, then each service's in plan order. */
function firstFailedStep(report: ProofReport): StepResult | undefined {
    return [...report.steps, ...report.services.flatMap((s) => s.steps)].find((s) => !s.ok);
}

describe("verify against the AWS emulator", function () {
    const hosts = EmulatedHosts.forSuite();
    const onHost = (scenario: Scenario, args: string[], awsConfig?: string, timeoutMs?: number) =>
        hosts.runVerify(scenario, args, { awsConfig, timeoutMs, json: args.includes("--json") });

    const proofArgs = (s: Scenario, ...extra: string[]) => [
        "--bucket",
        s.bucket,
        "--role-arn",
        s.targetRoleArn,
        "--session-name",
        "verify-test",
        "--propagation-timeout",
        "1",
        "--json",
        ...extra,
    ];

    /** Every key (and, on a versioned bucket, every version and delete marker) the bucket holds. */
    async function contents(bucket: string): Promise<string[]> {
        const listing = await hosts.adminS3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        const object = await hosts.adminS3.send(
            new GetObjectCommand({ Bucket: bucket, Key: "kept.txt" }),
        );
        return [
            ...(listing.Versions ?? []).map((v) => `object ${v.Key}`),
            ...(listing.DeleteMarkers ?? []).map((m) => `delete marker ${m.Key}`),
            `kept.txt holds ${await object.Body!.transformToString()}`,
        ];
    }

    it("proves a correct setup: exit 0, every step ✓, identities and masked key id in the report, the bucket left as found", async () => {
        const s = await createScenario(hosts.moto, "correct");
        await hosts.adminS3.send(
            new PutObjectCommand({ Bucket: s.bucket, Key: "kept.txt", Body: "someone's data" }),
        );
        const before = await contents(s.bucket);
        const r = await onHost(s, proofArgs(s));
        assert.strictEqual(r.code, 0, r.stderr);
        const report = r.report!;
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(
            report.steps.map((step) => [step.name, step.ok]),
            [["base-identity", true]],
        );
        assert.strictEqual(report.services.length, 1);
        const service = report.services[0];
        assert.deepStrictEqual(
            [service.name, service.roleArn, service.bucket, service.ok],
            ["target", s.targetRoleArn, s.bucket, true],
        );
        assert.deepStrictEqual(report.isolation, []);
        assert.deepStrictEqual(
            service.steps.map((step) => [step.name, step.ok]),
            passed(roundTripSteps),
        );
        assert.strictEqual(report.identities.base, s.hostSessionArn);
        // The single-target flags keep the session name exactly (no service suffix).
        assert.strictEqual(
            service.identities.assumed,
            `arn:aws:sts::123456789012:assumed-role/${s.targetRoleName}/verify-test`,
        );
        assert.match(service.credentials.accessKeyId!, /^\*{12,}[A-Z0-9]{4}$/);
        assert.ok(Date.parse(service.credentials.expiration!) > Date.now());
        for (const step of [...report.steps, ...service.steps])
            assert.ok(Number.isInteger(step.durationMs) && step.durationMs >= 0);
        assert.deepStrictEqual(await contents(s.bucket), before, "the bucket is left as found");
    });

    it("prints a human checklist without --json", async () => {
        const s = await createScenario(hosts.moto, "correct");
        const args = proofArgs(s).filter((a) => a !== "--json");
        const r = await onHost(s, args);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^✓ base-identity\s+arn:aws:sts::\S+ \(\d+ ms\)$/m);
        assert.match(r.stdout, /^✓ service target: arn:aws:iam::\S+ → s3:\/\/rolepair-test-/m);
        assert.match(r.stdout, /^ {2}✓ base-denied\s+AccessDenied \(\d+ ms\)$/m);
        assert.match(r.stdout, /PROOF HOLDS/);
    });

    it("proves the AWS config profile route (credential_source = Ec2InstanceMetadata)", async () => {
        const s = await createScenario(hosts.moto, "correct");
        const config = `[profile target]\nrole_arn = ${s.targetRoleArn}\ncredential_source = Ec2InstanceMetadata\nregion = ${region}\n`;
        const r = await onHost(s, proofArgs(s, "--profile", "target"), config);
        assert.strictEqual(r.code, 0, r.stderr);
        const names = r.report!.services[0].steps.map((step) => step.name);
        assert.deepStrictEqual(names.slice(-2), ["profile-identity", "profile-round-trip"]);
        assert.match(
            r.report!.services[0].identities.profile!,
            new RegExp(`:assumed-role/${s.targetRoleName}/`),
        );
    });

    it("fails the profile route when the profile on the host names another role: not the one just deployed", async () => {
        const s = await createScenario(hosts.moto, "correct");
        const other = await createScenario(hosts.moto, "correct");
        const config = `[profile target]\nrole_arn = ${other.targetRoleArn}\ncredential_source = Ec2InstanceMetadata\n`;
        const r = await onHost(s, proofArgs(s, "--profile", "target"), config);
        assert.strictEqual(r.code, 1);
        const failed = firstFailedStep(r.report!)!;
        assert.strictEqual(failed.name, "profile-config");
        assert.match(
            failed.diagnosis!,
            new RegExp(
                `the profile target on the host is not the one just deployed: role_arn is ${other.targetRoleArn}, the deploy set ${s.targetRoleArn} in \\S+\\. The host's sync agent`,
            ),
        );
    });

    it("a profile still without the ExternalId just deployed is stale, and the ExternalId is never printed", async () => {
        const externalId = `ext-${process.pid}-stale`;
        const s = await createScenario(hosts.moto, "correct", externalId);
        const config = `[profile target]\nrole_arn = ${s.targetRoleArn}\ncredential_source = Ec2InstanceMetadata\n`;
        const r = await onHost(
            s,
            proofArgs(s, "--profile", "target", "--external-id", externalId),
            config,
        );
        assert.strictEqual(r.code, 1, r.stderr);
        const failed = firstFailedStep(r.report!)!;
        assert.strictEqual(failed.name, "profile-config");
        assert.match(failed.diagnosis!, /it has no external_id, the deploy set one/);
        assert.ok(!`${failed.observed} ${failed.diagnosis}`.includes(externalId));
    });

    const matrix: {
        variant: Variant;
        step: StepName;
        diagnosis: RegExp;
        roleArn?: (s: Scenario) => string;
    }[] = [
        {
            variant: "host-reads-bucket",
            step: "base-denied",
            diagnosis: /host role can already read the bucket/,
        },
        {
            variant: "host-lacks-assume",
            step: "assume-role",
            diagnosis: /identity policy lacks sts:AssumeRole/,
        },
        {
            variant: "target-untrusting",
            step: "assume-role",
            diagnosis: /trust policy does not name the host role/,
        },
        {
            variant: "target-lacks-put",
            step: "put-object",
            diagnosis: /does not allow s3:PutObject on arn:aws:s3:::rolepair-test-[\w-]+\/\*/,
        },
        {
            variant: "bucket-missing",
            step: "put-object",
            diagnosis: /bucket rolepair-test-[\w-]+ does not exist/,
        },
        {
            // A wrong ARN that names an existing role which does not trust the host: refused at AssumeRole.
            variant: "correct",
            step: "assume-role",
            diagnosis: /--role-arn is wrong/,
            roleArn: (s) => s.targetRoleArn.replace(/target-/, "host-"),
        },
        {
            // A wrong ARN that names no role at all: the host's identity policy (scoped to the real
            // target ARN) already refuses it.
            variant: "correct",
            step: "assume-role",
            diagnosis: /--role-arn is wrong/,
            roleArn: () => "arn:aws:iam::123456789012:role/no-such-role",
        },
    ];
    for (const c of matrix) {
        const label = c.roleArn
            ? `wrong role ARN (${c.roleArn.toString().includes("no-such-role") ? "no such role" : "another role"})`
            : c.variant;
        it(`misconfiguration "${label}": exit 1 at ${c.step} with a diagnosis`, async () => {
            const s = await createScenario(hosts.moto, c.variant);
            const args = proofArgs(s);
            if (c.roleArn) args[3] = c.roleArn(s);
            const r = await onHost(s, args);
            assert.strictEqual(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
            assert.strictEqual(r.report!.ok, false);
            const failed = firstFailedStep(r.report!)!;
            assert.strictEqual(failed.name, c.step);
            assert.match(failed.diagnosis!, c.diagnosis);
            assert.match(failed.diagnosis!, /service target\b/, "the diagnosis names the service");
            assert.match(r.stderr, new RegExp(`service "target" .*step "${c.step}" failed`));
        });
    }

    it("waits for IAM propagation, prints progress, and ends at its own deadline when AssumeRole is never allowed", async () => {
        const s = await createScenario(hosts.moto, "host-lacks-assume");
        const args = proofArgs(s);
        args[args.indexOf("--propagation-timeout") + 1] = "3";
        // The retry loop never sees anything but AccessDenied: the proof's 3 s deadline must end
        // it. A run still going after 60 s is killed (code null) and fails here, not on mocha's
        // timeout; 60 s is far above 3 s so that a slow machine does not fail it.
        const r = await onHost(s, args, undefined, 60_000);
        assert.notStrictEqual(r.code, null, "the proof did not end within 60 s");
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(
            r.stderr,
            /waiting for IAM propagation: AssumeRole attempt 2 denied, \d+\.\d s elapsed/,
        );
        const failed = firstFailedStep(r.report!)!;
        assert.strictEqual(failed.name, "assume-role");
        assert.match(failed.diagnosis!, /Retried for 3 s, so this is not IAM propagation delay/);
    });

    it("exits 3 when AWS cannot be reached", async () => {
        const s = await createScenario(hosts.moto, "correct");
        const imds = await hosts.imdsDoubles.start(s);
        const closed = "http://127.0.0.1:9"; // discard port: nothing listens on loopback
        const r = await runVerify(
            proofArgs(s),
            hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: closed, region }),
        );
        assert.strictEqual(r.code, 3, r.stderr);
        assert.strictEqual(JSON.parse(r.stdout).unreachable, true);
    });

    const usageCases: [string[], RegExp][] = [
        [[], /--bucket: is required/],
        [["--bucket", "ok-bucket"], /--role-arn: is required/],
        [
            ["--bucket", "Bad_Bucket", "--role-arn", "arn:aws:iam::123456789012:role/x"],
            /--bucket: got "Bad_Bucket"/,
        ],
        [
            ["--bucket", "ok-bucket", "--role-arn", "arn:aws:iam::12:role/x"],
            /--role-arn: got "arn:aws:iam::12:role\/x"/,
        ],
        [
            [
                "--bucket",
                "ok-bucket",
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--duration-seconds",
                "60",
            ],
            /--duration-seconds: got "60"; expected an integer from 900 to 43200/,
        ],
        [
            [
                "--bucket",
                "ok-bucket",
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--frobnicate",
            ],
            /--frobnicate: unknown flag/,
        ],
        [["--bucket"], /--bucket: needs a value/],
    ];
    usageCases.push(
        [
            ["--targets", "-", "--bucket", "ok-bucket"],
            /--targets: cannot be combined with --bucket/,
        ],
        [["--targets", "/no/such/plan.json"], /--targets: cannot read "\/no\/such\/plan\.json"/],
    );
    for (const [args, message] of usageCases) {
        it(`usage error exits 2: ${args.join(" ") || "(no flags)"}`, async () => {
            const env = { PATH: process.env.PATH, AWS_REGION: region, NODE_NO_WARNINGS: "1" };
            const r = await runVerify(args, env);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, message);
            assert.strictEqual(r.stdout, "");
        });
    }

    it("never prints a secret key or session token in any run above", () => {
        hosts.assertNoSecretPrinted();
    });
});
