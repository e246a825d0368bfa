// The proof's other routes against a stubbed AWS account: round trips limited to the declared
// actions, the AWS config profile route, progress lines, the host's own failures, session names.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { probeKey } from "../../../verify/host/proof/s3RoundTrip";
import { sessionNameFor } from "../../../verify/host/proof/serviceProof";
import { UsageError } from "../../../contract/usageError";
import type { VerifyTarget } from "../../../contract/plan";
import type { ProofReport } from "../../../contract/report";
import {
    account,
    awsError,
    connectionReset,
    FakeAccount,
    fakeAccount,
    roleA,
    roleB,
    targetA,
    targetB,
} from "../../support/fakeAws";
import { proofOptions, proveStubbed } from "../../support/stubbedProof";

const steps = (report: ProofReport, i = 0) =>
    report.services[i].steps.map((s) => [s.name, s.ok, s.observed]);

describe("the proof's routes (stubbed AWS)", () => {
    let aws: FakeAccount;

    beforeEach(() => {
        aws = fakeAccount();
        aws.buckets.set("bucket-a", new Map());
        aws.grants.set(roleA, "bucket-a");
    });
    afterEach(() => aws.restore());

    it("limits the round trip to the declared actions, without writing", async () => {
        const report = await proveStubbed([
            {
                ...targetA,
                objectActions: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"].slice(
                    0,
                    2,
                ) as never,
            },
        ]);
        assert.strictEqual(report.ok, true);
        const got = steps(report).slice(3, -1);
        assert.deepStrictEqual(
            got.map(([name, ok]) => [name, ok]),
            [
                ["list-objects", true],
                ["get-object", true],
                ["delete-object", true],
            ],
        );
        assert.strictEqual(got[0][2], "listed s3://bucket-a (0 keys in the first page of 1)");
        assert.match(
            String(got[1][2]),
            /^NoSuchKey for rolepair-verify\/.+: GetObject is allowed$/,
        );
        assert.match(
            String(got[2][2]),
            /^DeleteObject of the missing key rolepair-verify\/.+ succeeded: it is allowed$/,
        );
        assert.strictEqual(
            report.services[0].steps[4].expected,
            "GetObject of a random missing key answers NoSuchKey (allowed), not AccessDenied",
        );
        assert.strictEqual(aws.s3Calls.filter((c) => c.command === "PutObject").length, 0);
        const putOnly = await proveStubbed([{ ...targetA, objectActions: ["s3:PutObject"] }]);
        assert.deepStrictEqual(
            steps(putOnly)
                .slice(3, -1)
                .map(([name]) => name),
            ["list-objects", "put-object"],
        );
        assert.strictEqual(
            putOnly.services[0].steps[4].expected,
            "PutObject is not exercised without DeleteObject",
        );
    });

    it("reports the limited round trip's get beside a refused listing, and stops the full one at a refused put", async () => {
        aws.faults.s3Error = (c) =>
            c.caller.kind === "session" && c.command === "ListObjectsV2"
                ? awsError("AccessDenied", 403)
                : undefined;
        // A service's steps after base-denied, assume-role and assumed-identity: name and outcome.
        const fromRoundTrip = (report: ProofReport) =>
            steps(report)
                .slice(3)
                .map(([n, ok]) => [n, ok]);
        const listed = await proveStubbed([{ ...targetA, objectActions: ["s3:GetObject"] }]);
        assert.deepStrictEqual(fromRoundTrip(listed), [
            ["list-objects", false],
            ["get-object", true],
            ["credentials-expiry", true],
        ]);
        aws.faults.s3Error = (c) =>
            c.command === "PutObject" ? awsError("AccessDenied", 403) : undefined;
        const put = await proveStubbed([targetA]);
        assert.deepStrictEqual(fromRoundTrip(put), [
            ["put-object", false],
            ["credentials-expiry", true],
        ]);
        aws.faults.s3Error = (c) =>
            c.command === "GetObject" ? awsError("NoSuchKey", 404) : undefined;
        const noGet = await proveStubbed([{ ...targetA, objectActions: ["s3:GetObject"] }]);
        assert.strictEqual(noGet.ok, true);
        const listOnly = await proveStubbed([
            { ...targetA, objectActions: ["s3:PutObject", "s3:DeleteObject"] },
        ]);
        assert.deepStrictEqual(
            steps(listOnly)
                .slice(3, -1)
                .map(([n]) => n),
            ["put-object", "list-objects", "delete-object"],
        );
    });

    it("prints progress while AssumeRole is denied, naming the service with a plan", async () => {
        aws.faults.assumeRoleError = (n) => (n <= 2 ? awsError("AccessDenied", 403) : undefined);
        const lines: string[] = [];
        const report = await proveStubbed(
            [targetA],
            { propagationTimeoutMs: 60_000, perServiceSessions: true },
            {
                sleep: async () => {},
                propagationInitialDelayMs: 1,
                onProgress: (line) => lines.push(line),
            },
        );
        assert.strictEqual(report.ok, true);
        assert.strictEqual(lines.length, 2);
        assert.match(
            lines[0],
            /^service-a: waiting for IAM propagation: AssumeRole attempt 1 denied, \d+\.\d s elapsed$/,
        );
        assert.match(
            report.services[0].steps[1].observed,
            new RegExp(`^assumed ${roleA} after 3 attempts$`),
        );
        assert.strictEqual(
            report.services[0].identities.assumed,
            `arn:aws:sts::${account}:assumed-role/service-a/verify-service-a`,
        );
        assert.match(report.services[0].credentials.accessKeyId!, /^\*{12}\d{4}$/);
        assert.strictEqual(
            Date.parse(report.services[0].credentials.expiration!) > Date.now(),
            true,
        );
    });

    it("marks a proof without any credentials as could-not-run (exit 3), not failed", async () => {
        const report = await proveStubbed(
            [targetA],
            {},
            {
                baseCredentials: async () => {
                    throw Object.assign(
                        new Error("Could not load credentials from any providers"),
                        { name: "CredentialsProviderError" },
                    );
                },
            },
        );
        assert.deepStrictEqual([report.ok, report.unreachable], [false, true]);
        assert.match(report.steps[0].observed, /^CredentialsProviderError: /);
    });

    it("says which Node it ran on", async () => {
        const report = await proveStubbed([targetA], {});
        assert.deepStrictEqual(report.host, { node: process.version });
    });

    it("stops at the host's own identity when the host has no credentials, and marks AWS unreachable", async () => {
        const report = await proveStubbed(
            [targetA],
            {},
            {
                baseCredentials: async () => {
                    throw connectionReset();
                },
            },
        );
        assert.deepStrictEqual(
            [report.ok, report.unreachable, report.steps.length, report.steps[0].ok],
            [false, true, 1, false],
        );
        assert.match(report.steps[0].diagnosis!, /^AWS did not answer/);
        assert.deepStrictEqual(report.services[0].steps, []);
        assert.strictEqual(report.services[0].ok, false);
        assert.deepStrictEqual(report.isolation, []);
    });

    it("an unreachable isolation listing marks the report unreachable; a refused one does not", async () => {
        aws.buckets.set("bucket-b", new Map());
        aws.grants.set(roleB, "bucket-b");
        const both = [targetA, targetB];
        aws.faults.s3Error = (c) =>
            c.caller.kind === "session" &&
            c.input.MaxKeys === 1 &&
            c.input.Prefix === undefined &&
            c.command === "ListObjectsV2" &&
            c.input.Bucket === "bucket-b" &&
            (c.caller as { roleArn: string }).roleArn === roleA
                ? connectionReset()
                : undefined;
        const report = await proveStubbed(both, { perServiceSessions: true });
        assert.deepStrictEqual([report.ok, report.unreachable], [false, true]);
        assert.strictEqual(
            report.services.every((s) => s.ok),
            true,
        );
        aws.faults.s3Error = undefined;
        const fine = await proveStubbed(both, { perServiceSessions: true });
        assert.deepStrictEqual([fine.ok, fine.unreachable], [true, undefined]);
    });

    it("refuses more than an hour of session from an assumed-role host (role chaining), before any AssumeRole", async () => {
        await assert.rejects(proveStubbed([targetA], { durationSeconds: 3601 }), UsageError);
        assert.strictEqual(aws.assumeRoleCalls, 0);
    });

    it("runs the profile route beside the round trip: a refused get hides neither", async () => {
        aws.faults.s3Error = (c) =>
            c.command === "GetObject" ? awsError("AccessDenied", 403) : undefined;
        const saved = process.env.AWS_CONFIG_FILE;
        process.env.AWS_CONFIG_FILE = path.join(os.tmpdir(), `rolepair-no-config-${process.pid}`);
        try {
            const report = await proveStubbed([{ ...targetA, profile: "service-a" }]);
            assert.deepStrictEqual(
                steps(report).map(([n, ok]) => [n, ok]),
                [
                    ["base-denied", true],
                    ["assume-role", true],
                    ["assumed-identity", true],
                    ["put-object", true],
                    ["list-objects", true],
                    ["get-object", false],
                    ["delete-object", true],
                    ["credentials-expiry", true],
                    ["profile-config", false],
                ],
            );
        } finally {
            if (saved === undefined) delete process.env.AWS_CONFIG_FILE;
            else process.env.AWS_CONFIG_FILE = saved;
        }
    });

    describe("through an AWS config profile", () => {
        // Made in before(), not when the file loads: a filtered run (--grep) skips after() too.
        let dir = "";
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-verify-profile-"));
        });
        const saved = {
            config: process.env.AWS_CONFIG_FILE,
            credentials: process.env.AWS_SHARED_CREDENTIALS_FILE,
        };
        after(() => {
            fs.rmSync(dir, { recursive: true, force: true });
        });
        afterEach(() => {
            for (const [key, value] of [
                ["AWS_CONFIG_FILE", saved.config],
                ["AWS_SHARED_CREDENTIALS_FILE", saved.credentials],
            ] as const) {
                if (value === undefined) delete process.env[key];
                else process.env[key] = value;
            }
        });

        /** A profile holding a session of `roleArn`, as `credential_source` would obtain one. */
        // The section names the plan's role_arn, as the sync agent writes it (profile-config checks
        // it); without source_profile or credential_source the SDK takes its static keys.
        function profileOf(roleArn: string): void {
            const { accessKeyId } = aws.issueSession(roleArn, "app");
            const config = path.join(dir, `config-${accessKeyId}`);
            fs.writeFileSync(
                config,
                `[profile service-a]\nrole_arn = ${targetA.roleArn}\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = s\naws_session_token = t\n`,
            );
            process.env.AWS_CONFIG_FILE = config;
            process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, "none");
        }

        it("a profile the SDK finds no credentials for fails the proof (exit 1), not could-not-run", async () => {
            const config = path.join(dir, "config-without-keys");
            fs.writeFileSync(config, `[profile service-a]\nrole_arn = ${targetA.roleArn}\n`);
            process.env.AWS_CONFIG_FILE = config;
            process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, "none");
            const report = await proveStubbed([{ ...targetA, profile: "service-a" }]);
            const identity = report.services[0].steps.find((s) => s.name === "profile-identity");
            assert.strictEqual(identity?.ok, false, JSON.stringify(report.services[0].steps));
            assert.match(identity.observed, /^CredentialsProviderError: /);
            assert.deepStrictEqual([report.ok, report.unreachable ?? false], [false, false]);
        });

        it("proves the profile's identity and its round trip", async () => {
            profileOf(roleA);
            const report = await proveStubbed([{ ...targetA, profile: "service-a" }]);
            assert.strictEqual(report.ok, true);
            assert.deepStrictEqual(steps(report).slice(-2), [
                ["profile-identity", true, `arn:aws:sts::${account}:assumed-role/service-a/app`],
                ["profile-round-trip", true, "put, get and delete through profile service-a"],
            ]);
            assert.strictEqual(
                report.services[0].identities.profile,
                `arn:aws:sts::${account}:assumed-role/service-a/app`,
            );
            assert.deepStrictEqual([...aws.buckets.get("bucket-a")!.keys()], []);
        });

        it("proves the limited round trips through the profile", async () => {
            const cases: [VerifyTarget["objectActions"], string][] = [
                [
                    ["s3:PutObject", "s3:DeleteObject"],
                    "put, list and delete through profile service-a",
                ],
                [
                    ["s3:GetObject", "s3:DeleteObject"],
                    "list, get (NoSuchKey), delete (missing key) through profile service-a",
                ],
                [
                    ["s3:PutObject"],
                    "list through profile service-a; put skipped (no DeleteObject to remove a probe)",
                ],
            ];
            for (const [objectActions, observed] of cases) {
                profileOf(roleA);
                const report = await proveStubbed([
                    { ...targetA, objectActions, profile: "service-a" },
                ]);
                assert.deepStrictEqual(steps(report).at(-1), [
                    "profile-round-trip",
                    true,
                    observed,
                ]);
            }
        });

        it("fails the profile route when the profile is another role's, or its round trip fails", async () => {
            const roleX = `arn:aws:iam::${account}:role/other`;
            profileOf(roleX);
            const other = await proveStubbed([{ ...targetA, profile: "service-a" }]);
            const identity = other.services[0].steps.find((s) => s.name === "profile-identity")!;
            assert.strictEqual(identity.ok, false);
            assert.strictEqual(
                identity.diagnosis,
                `profile service-a of service service-a does not assume ${roleA}: check its role_arn in the AWS config file.`,
            );

            profileOf(roleA);
            let gets = 0;
            aws.faults.getBody = (stored) => (++gets > 1 ? `${stored.slice(0, -1)}!` : stored);
            const changed = await proveStubbed([{ ...targetA, profile: "service-a" }]);
            const trip = changed.services[0].steps.at(-1)!;
            assert.deepStrictEqual([trip.name, trip.ok], ["profile-round-trip", false]);
            assert.match(trip.observed, /that differ from what was written/);
            assert.deepStrictEqual(
                [...aws.buckets.get("bucket-a")!.keys()],
                [],
                "the probe is removed anyway",
            );

            profileOf(roleA);
            aws.faults.getBody = undefined;
            aws.buckets.get("bucket-a")!.set("x", "y");
            aws.faults.s3Error = undefined;
            const found = await proveStubbed([
                { ...targetA, objectActions: ["s3:GetObject"], profile: "service-a" },
            ]);
            assert.strictEqual(found.ok, true);
        });
    });
});

describe("session names and probe keys", () => {
    it("keeps the single-target session name, and clips a per-service one to 64 characters", () => {
        const base = proofOptions([targetA], { sessionName: "s".repeat(60) });
        assert.strictEqual(sessionNameFor(base, targetA), "s".repeat(60));
        assert.strictEqual(
            sessionNameFor({ ...base, perServiceSessions: true }, targetA),
            `${"s".repeat(60)}-ser`,
        );
        assert.strictEqual(
            sessionNameFor({ ...base, sessionName: "v", perServiceSessions: true }, targetA),
            "v-service-a",
        );
    });

    it("names a probe by time and randomness, under rolepair-verify/", () => {
        const key = probeKey();
        assert.match(
            key,
            /^rolepair-verify\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{8}\.txt$/,
        );
        assert.notStrictEqual(probeKey(), key);
    });
});
