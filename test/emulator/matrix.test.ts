// verify proving several services on one host: three services, each with its own role and
// bucket, one host role with one sts:AssumeRole statement on the three roles, one IMDSv2 double.
// The plan arrives on stdin (--targets -) or from a file. See lab/matrixScenario.ts for
// the moto workarounds.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";

import { renderProfilesConfig } from "../../contract/profileParameters";
import type { VerifyTarget } from "../../contract/plan";
import type { ProofReport, ServiceReport, StepName } from "../../contract/report";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { EmulatedHosts } from "../../lab/emulatedHosts";
import {
    createMatrixScenario,
    MatrixOptions,
    MatrixScenario,
    MatrixService,
    MatrixVariant,
} from "../../lab/matrixScenario";
import { region } from "../../lab/moto";
import { roundTripSteps } from "../support/proofSteps";
import { ProcessResult, runVerify } from "../../lab/verifyProcess";

const sessionName = "verify-matrix";
const names = (steps: { name: StepName }[]) => steps.map((s) => s.name);

describe("verify proves a services × buckets matrix against the AWS emulator", function () {
    const hosts = EmulatedHosts.forSuite();
    const tempDir = makeTempDir("rolepair-matrix-");
    let planFiles = 0;
    after(() => removeTempDir(tempDir));

    async function scenario(variant: MatrixVariant, options?: MatrixOptions) {
        return hosts.remember(await createMatrixScenario(hosts.moto, variant, options));
    }

    /** Runs verify on the "host" with the plan on stdin (default) or from a file. */
    async function onHost(
        s: MatrixScenario,
        plan: VerifyTarget[],
        opts: { via?: "stdin" | "file"; json?: boolean; awsConfig?: string } = {},
    ): Promise<ProcessResult & { report?: ProofReport }> {
        const json = opts.json ?? true;
        let source = "-";
        if (opts.via === "file") {
            source = path.join(tempDir, `plan-${++planFiles}.json`);
            fs.writeFileSync(source, JSON.stringify(plan, null, 2));
        }
        const args = [
            "--targets",
            source,
            "--session-name",
            sessionName,
            "--propagation-timeout",
            "1",
            ...(json ? ["--json"] : []),
        ];
        return hosts.runVerify(s, args, {
            awsConfig: opts.awsConfig,
            stdin: opts.via === "file" ? undefined : JSON.stringify(plan),
            json,
        });
    }

    /** Runs verify with each service's AWS profile in the plan and in the host's config file. */
    function onHostWithProfiles(
        s: MatrixScenario,
        profileRoleArn: (x: MatrixService, index: number) => string = (x) => x.roleArn,
    ) {
        const awsConfig = renderProfilesConfig(
            s.services.map((x, i) => ({
                name: x.name,
                roleArn: profileRoleArn(x, i),
                region,
            })),
        );
        return onHost(
            s,
            s.plan((x) => ({ profile: x.name })),
            { awsConfig },
        );
    }

    function service(report: ProofReport, name: string): ServiceReport {
        return report.services.find((s) => s.name === name)!;
    }

    async function probesLeft(bucket: string): Promise<number> {
        const listing = await hosts.adminS3.send(new ListObjectsV2Command({ Bucket: bucket }));
        return listing.KeyCount ?? 0;
    }

    it("proves three services from a plan on stdin: exit 0, every service ✓, 6 isolation rows denied", async () => {
        const s = await scenario("correct");
        const r = await onHost(s, s.plan());
        assert.strictEqual(r.code, 0, r.stderr);
        const report = r.report!;
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(names(report.steps), ["base-identity"]);
        assert.strictEqual(report.identities.base, s.hostSessionArn);
        assert.deepStrictEqual(
            report.services.map((x) => [x.name, x.roleArn, x.bucket, x.ok]),
            s.services.map((x) => [x.name, x.roleArn, x.bucket, true]),
        );
        for (const x of s.services) {
            const got = service(report, x.name);
            assert.deepStrictEqual(names(got.steps), roundTripSteps);
            // Per-service session names: `${sessionName}-${service}`.
            assert.strictEqual(
                got.identities.assumed,
                `arn:aws:sts::123456789012:assumed-role/${x.roleName}/${sessionName}-${x.name}`,
            );
            assert.match(got.credentials.accessKeyId!, /^\*{12,}[A-Z0-9]{4}$/);
            assert.strictEqual(await probesLeft(x.bucket), 0, "the bucket is left as found");
        }
        const [a, b, c] = s.services.map((x) => x.bucket);
        assert.deepStrictEqual(
            report.isolation.map((row) => [row.service, row.bucket, row.ok, row.observed]),
            [
                ["service-a", b, true, "AccessDenied"],
                ["service-a", c, true, "AccessDenied"],
                ["service-b", a, true, "AccessDenied"],
                ["service-b", c, true, "AccessDenied"],
                ["service-c", a, true, "AccessDenied"],
                ["service-c", b, true, "AccessDenied"],
            ],
        );
    });

    it("proves the same plan read from a file, and prints the per-service checklist and the matrix", async () => {
        const s = await scenario("correct");
        const r = await onHost(s, s.plan(), { via: "file", json: false });
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^✓ base-identity /m);
        for (const x of s.services) {
            assert.match(
                r.stdout,
                new RegExp(`^✓ service ${x.name}: ${x.roleArn} → s3://${x.bucket}$`, "m"),
            );
        }
        const [a, b, c] = s.services.map((x) => x.bucket);
        assert.match(r.stdout, new RegExp(`^ +${a} +${b} +${c}$`, "m"));
        assert.match(r.stdout, /^service-a +own ✓ +denied ✓ +denied ✓$/m);
        assert.match(r.stdout, /^service-b +denied ✓ +own ✓ +denied ✓$/m);
        assert.match(r.stdout, /^service-c +denied ✓ +denied ✓ +own ✓$/m);
        assert.match(r.stdout, /PROOF HOLDS/);
    });

    it("a leak fails the proof: service-b's role can also list service-a's bucket", async () => {
        const s = await scenario("b-lists-a");
        const r = await onHost(s, s.plan());
        assert.strictEqual(r.code, 1, r.stderr);
        const report = r.report!;
        assert.strictEqual(report.ok, false);
        assert.ok(
            report.services.every((x) => x.ok),
            "each service's own proof still holds",
        );
        const [a] = s.services.map((x) => x.bucket);
        const failed = report.isolation.filter((row) => !row.ok);
        assert.deepStrictEqual(
            failed.map((row) => [row.service, row.bucket, row.observed]),
            [["service-b", a, "ListObjectsV2 succeeded"]],
        );
        assert.match(
            failed[0].diagnosis!,
            new RegExp(
                `service service-b can list bucket ${a}.*grants s3:ListBucket on arn:aws:s3:::${a} \\(a wildcard resource or a merged policy\\), or the bucket's policy grants that role`,
            ),
        );
        assert.match(r.stderr, new RegExp(`service "service-b" isolation from bucket ${a} failed`));
        // The human checklist shows the cell.
        const text = await onHost(s, s.plan(), { json: false });
        assert.match(text.stdout, /^service-b +LEAK ✗ +own ✓ +denied ✓$/m);
    });

    const failures: {
        variant: MatrixVariant;
        step: StepName;
        diagnosis: (s: MatrixScenario) => RegExp;
    }[] = [
        {
            variant: "host-reads-c",
            step: "base-denied",
            diagnosis: (s) =>
                new RegExp(
                    `host role can already read the bucket ${s.services[2].bucket} of service service-c`,
                ),
        },
        {
            variant: "host-lacks-assume-c",
            step: "assume-role",
            diagnosis: (s) =>
                new RegExp(
                    `^service service-c: AssumeRole into ${s.services[2].roleArn} was refused\\. .*identity policy lacks sts:AssumeRole on ${s.services[2].roleArn}.*--targets\\[2\\]\\.roleArn is wrong\\. .*its trust policy must name the host role or the account root, and the host role needs sts:AssumeRole on it`,
                ),
        },
        {
            variant: "c-untrusting",
            step: "assume-role",
            diagnosis: () =>
                /^service service-c: .*trust policy does not name the host role .*its trust policy must name the host role or the account root/,
        },
    ];
    for (const c of failures) {
        it(`"${c.variant}": exit 1 at service-c's ${c.step}, diagnosis naming service-c and its bucket; a and b still proven`, async () => {
            const s = await scenario(c.variant);
            const r = await onHost(s, s.plan());
            assert.strictEqual(r.code, 1, r.stderr);
            const report = r.report!;
            assert.deepStrictEqual(
                report.services.map((x) => [x.name, x.ok]),
                [
                    ["service-a", true],
                    ["service-b", true],
                    ["service-c", false],
                ],
            );
            const failed = service(report, "service-c").steps.find((x) => !x.ok)!;
            assert.strictEqual(failed.name, c.step);
            assert.match(failed.diagnosis!, c.diagnosis(s));
            assert.match(
                r.stderr,
                new RegExp(
                    `^verify: service "service-c" \\(bucket ${s.services[2].bucket}\\): step "${c.step}" failed`,
                    "m",
                ),
            );
            // service-a and service-b were still checked against service-c's bucket.
            assert.deepStrictEqual(
                report.isolation
                    .filter((row) => row.bucket === s.services[2].bucket)
                    .map((row) => [row.service, row.ok]),
                [
                    ["service-a", true],
                    ["service-b", true],
                ],
            );
        });
    }

    it("proves each service's AWS config profile route (one [profile <service>] per service)", async () => {
        const s = await scenario("correct");
        const r = await onHostWithProfiles(s);
        assert.strictEqual(r.code, 0, r.stderr);
        for (const x of s.services) {
            const got = service(r.report!, x.name);
            assert.deepStrictEqual(names(got.steps).slice(-2), [
                "profile-identity",
                "profile-round-trip",
            ]);
            assert.match(got.identities.profile!, new RegExp(`:assumed-role/${x.roleName}/`));
            assert.strictEqual(
                got.steps.at(-1)!.observed,
                `put, get and delete through profile ${x.name}`,
            );
        }
    });

    it("a profile that assumes another service's role fails that service's profile-config (stale)", async () => {
        const s = await scenario("correct");
        // service-b's profile points at service-a's role.
        const r = await onHostWithProfiles(s, (x, i) =>
            i === 1 ? s.services[0].roleArn : x.roleArn,
        );
        assert.strictEqual(r.code, 1, r.stderr);
        const failed = service(r.report!, "service-b").steps.find((x) => !x.ok)!;
        assert.strictEqual(failed.name, "profile-config");
        assert.match(
            failed.diagnosis!,
            /^service service-b: the profile service-b on the host is not the one just deployed: role_arn is /,
        );
    });

    it("a config holding more than the plan's profiles fails profile-config, naming what is extra", async () => {
        const s = await scenario("correct");
        const planned = renderProfilesConfig(
            s.services.map((x) => ({ name: x.name, roleArn: x.roleArn, region })),
        );
        // A removed service's profile, and the hidden [default] with a credential_process.
        const awsConfig =
            `${planned}\n[profile service-z]\nrole_arn = ${s.services[0].roleArn}\n` +
            "credential_source = Ec2InstanceMetadata\n" +
            `region = ${region}\n [default]\ncredential_process = /tmp/evil.sh\n`;
        const r = await onHost(
            s,
            s.plan((x) => ({ profile: x.name })),
            { awsConfig },
        );
        assert.strictEqual(r.code, 1, r.stderr);
        const lines = planned.split("\n").length;
        for (const x of s.services) {
            const failed = service(r.report!, x.name).steps.find((step) => !step.ok)!;
            assert.strictEqual(failed.name, "profile-config");
            assert.strictEqual(
                failed.observed!.replace(/^.* also holds /, ""),
                `[profile service-z] on line ${lines + 1}, a profile the plan does not hold; an indented line ${lines + 5} (the SDK may read it as a section or a value); the key credential_process on line ${lines + 6}, in a section the plan did not put there`,
            );
            assert.match(failed.diagnosis!, /holds what this deploy did not put there/);
        }
    });

    it("limits each round trip to the declared actions: get-only, delete-only, put without delete (skipped)", async () => {
        const s = await scenario("correct", {
            declared: {
                "service-a": ["s3:GetObject"],
                "service-b": ["s3:DeleteObject"],
                "service-c": ["s3:PutObject"],
            },
        });
        const r = await onHostWithProfiles(s);
        assert.strictEqual(r.code, 0, r.stderr);
        const steps = (name: string) =>
            service(r.report!, name).steps.map((x) => [x.name, x.ok, x.observed]);
        // Between assumed-identity and credentials-expiry, profile-config, -identity, -round-trip.
        const tail = (name: string) => steps(name).slice(3, -4);
        const tailOutcomes = (name: string) => tail(name).map(([n, ok]) => [n, ok]);
        assert.deepStrictEqual(tailOutcomes("service-a"), [
            ["list-objects", true],
            ["get-object", true],
        ]);
        assert.match(
            String(tail("service-a")[1][2]),
            /^NoSuchKey for rolepair-verify\/.*: GetObject is allowed$/,
        );
        assert.deepStrictEqual(tailOutcomes("service-b"), [
            ["list-objects", true],
            ["delete-object", true],
        ]);
        assert.deepStrictEqual(tailOutcomes("service-c"), [
            ["list-objects", true],
            ["put-object", true],
        ]);
        assert.match(
            String(tail("service-c")[1][2]),
            /^skipped: PutObject is declared without DeleteObject/,
        );
        // Skipped, not passed: the JSON says so, and so does the exit code's checklist (stderr too).
        assert.deepStrictEqual(
            service(r.report!, "service-c").steps.map((x) => [x.name, x.skipped ?? false]),
            service(r.report!, "service-c").steps.map((x) => [x.name, x.name === "put-object"]),
        );
        assert.match(
            String(steps("service-c").at(-1)![2]),
            /^list through profile service-c; put skipped/,
        );
        for (const x of s.services) assert.strictEqual(await probesLeft(x.bucket), 0);
    });

    it("a declared action the role lacks fails: get-only declared, only delete granted → get-object AccessDenied", async () => {
        const s = await scenario("correct", {
            declared: { "service-a": ["s3:GetObject"] },
            granted: { "service-a": ["s3:DeleteObject"] },
        });
        const r = await onHost(s, s.plan());
        assert.strictEqual(r.code, 1, r.stderr);
        const failed = service(r.report!, "service-a").steps.find((x) => !x.ok)!;
        assert.strictEqual(failed.name, "get-object");
        assert.match(failed.observed, /^AccessDenied/);
        assert.match(
            failed.diagnosis!,
            /service service-a: .*does not allow s3:GetObject on arn:aws:s3:::rolepair-service-a-/,
        );
    });

    const role = "arn:aws:iam::123456789012:role/svc";
    const ok = { name: "service-a", roleArn: role, bucket: "bucket-a" };
    const usageCases: [string, string, RegExp][] = [
        ["not JSON", "{nope", /--targets: is not JSON/],
        ["an empty array", "[]", /--targets: got \[\]; expected a non-empty JSON array/],
        [
            "an object, not an array",
            JSON.stringify(ok),
            /--targets: got \{"name":"service-a".*; expected a non-empty JSON array/,
        ],
        [
            "an entry that is not an object",
            JSON.stringify([ok, "x"]),
            /--targets\[1\]: got "x"; expected an object/,
        ],
        [
            "an unknown key",
            JSON.stringify([{ ...ok, colour: "red" }]),
            /--targets\[0\]\.colour: unknown key; accepted: name, roleArn, bucket, externalId, objectActions, profile/,
        ],
        [
            "a bad roleArn",
            JSON.stringify([ok, { ...ok, name: "b", roleArn: "nope" }]),
            /--targets\[1\]\.roleArn: got "nope"; expected an IAM role ARN/,
        ],
        [
            "a missing bucket",
            JSON.stringify([{ name: "a", roleArn: role }]),
            /--targets\[0\]\.bucket: got nothing; expected an existing S3 bucket name: 3 to 63 lowercase letters, digits and hyphens/,
        ],
        [
            "a bad name",
            JSON.stringify([{ ...ok, name: "Service_A" }]),
            /--targets\[0\]\.name: got "Service_A"; expected 1 to 32 of lowercase letters, digits and -/,
        ],
        [
            "a duplicate name",
            JSON.stringify([ok, ok]),
            /--targets\[1\]\.name: got "service-a"; expected a name no other target uses \(--targets\[0\] has it\)/,
        ],
        [
            "a wildcard action",
            JSON.stringify([{ ...ok, objectActions: ["s3:GetObject", "s3:*"] }]),
            /--targets\[0\]\.objectActions\[1\]: got "s3:\*"; expected one of s3:GetObject, s3:PutObject/,
        ],
        [
            "empty objectActions",
            JSON.stringify([{ ...ok, objectActions: [] }]),
            /--targets\[0\]\.objectActions: got \[\]; expected a non-empty list/,
        ],
        [
            "a numeric externalId",
            JSON.stringify([{ ...ok, externalId: 42 }]),
            /--targets\[0\]\.externalId: got 42; expected 2 to 1224 characters/,
        ],
    ];
    for (const [label, stdin, message] of usageCases) {
        it(`usage error exits 2, naming the path: ${label}`, async () => {
            const env = { PATH: process.env.PATH, AWS_REGION: region, NODE_NO_WARNINGS: "1" };
            const r = await runVerify(["--targets", "-", "--json"], env, stdin);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.match(r.stderr, message);
            assert.strictEqual(r.stdout, "");
        });
    }

    it("never prints a secret key or session token in any run above", () => {
        hosts.assertNoSecretPrinted();
    });
});
