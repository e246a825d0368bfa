// The proof's steps one at a time (verify/host/proof/steps.ts) and the diagnoses of what AWS answered
// (verify/host/proof/diagnose.ts), against stubbed SDK clients (test/support/fakeAws.ts).
import * as assert from "assert";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";

import {
    diagnose,
    type DiagnosisContext,
    diagnoseIsolation,
} from "../../../verify/host/proof/diagnose";
import { checkRoleChaining } from "../../../verify/host/proof/roleChaining";
import {
    assumeRoleWithPropagationRetry,
    checkCredentialsExpiry,
    deleteMissingKey,
    expectedSessionArn,
    getMissingKey,
    listBucket,
    maxClockLagMs,
    sessionArnPrefix,
} from "../../../verify/host/proof/steps";
import { UsageError } from "../../../contract/usageError";
import { boundedSleep } from "../../support/bounded";
import {
    awsError,
    connectionReset,
    FakeAccount,
    fakeAccount,
    hostCredentials,
    roleA,
} from "../../support/fakeAws";

const region = "eu-west-1";

describe("verify steps (stubbed AWS)", function () {
    // Virtual clocks throughout: a retry that hangs fails in seconds, not at mocha's 120 s.
    this.timeout(10_000);
    let aws: FakeAccount;
    let sessionS3: S3Client;
    const hostSts = () => new STSClient({ region, credentials: hostCredentials });

    beforeEach(async () => {
        aws = fakeAccount();
        aws.buckets.set("bucket-a", new Map([["kept.txt", "data"]]));
        aws.grants.set(roleA, "bucket-a");
        const assumed = await assumeRoleWithPropagationRetry(
            hostSts(),
            { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
            { timeoutMs: 0 },
        );
        sessionS3 = new S3Client({ region, credentials: assumed.credentials });
    });
    afterEach(() => aws.restore());

    it("listBucket reports the keys of the first page", async () => {
        assert.deepStrictEqual(await listBucket(sessionS3, "bucket-a"), {
            ok: true,
            observed: "listed s3://bucket-a (1 keys in the first page of 1)",
        });
        aws.faults.listKeys = () => [];
        assert.strictEqual(
            (await listBucket(sessionS3, "bucket-a")).observed,
            "listed s3://bucket-a (0 keys in the first page of 1)",
        );
    });

    it("getMissingKey: NoSuchKey means allowed; an object found is a failure; other errors are thrown", async () => {
        assert.deepStrictEqual(await getMissingKey(sessionS3, "bucket-a", "probe"), {
            ok: true,
            observed: "NoSuchKey for probe: GetObject is allowed",
        });
        const found = await getMissingKey(sessionS3, "bucket-a", "kept.txt");
        assert.strictEqual(found.ok, false);
        assert.strictEqual(
            found.observed,
            "GetObject of the random key kept.txt returned an object",
        );
        assert.match(found.diagnosis!, /another writer uses this key prefix/);
        aws.faults.s3Error = () => awsError("AccessDenied", 403);
        await assert.rejects(getMissingKey(sessionS3, "bucket-a", "probe"), {
            name: "AccessDenied",
        });
    });

    it("deleteMissingKey succeeds when allowed and throws otherwise", async () => {
        assert.deepStrictEqual(await deleteMissingKey(sessionS3, "bucket-a", "probe"), {
            ok: true,
            observed: "DeleteObject of the missing key probe succeeded: it is allowed",
        });
        await assert.rejects(deleteMissingKey(sessionS3, "bucket-x", "probe"), {
            name: "NoSuchBucket",
        });
    });

    it("AssumeRole is retried only on AccessDenied, with growing waits capped at 5 s", async () => {
        // Call 1 was beforeEach's; calls 2 to 10 are denied, the tenth attempt succeeds.
        aws.faults.assumeRoleError = (n) => (n <= 10 ? awsError("AccessDenied", 403) : undefined);
        let now = 0;
        const waits: number[] = [];
        const progress: string[] = [];
        const assumed = await assumeRoleWithPropagationRetry(
            hostSts(),
            { roleArn: roleA, sessionName: "s", durationSeconds: 900, externalId: "x-1" },
            {
                timeoutMs: 60_000,
                now: () => now,
                sleep: boundedSleep(20, (ms) => {
                    waits.push(ms);
                    now += ms;
                }),
                onRetry: (attempt, elapsed) => progress.push(`${attempt}@${elapsed}`),
            },
        );
        assert.strictEqual(assumed.attempts, 10);
        assert.deepStrictEqual(
            waits.map((w) => Math.round(w)),
            [500, 800, 1280, 2048, 3277, 5000, 5000, 5000, 5000],
        );
        assert.deepStrictEqual(progress.slice(0, 3), ["1@0", "2@500", "3@1300"]);
        assert.deepStrictEqual(assumed.issued, { sentAt: now, answeredAt: now });
        assert.match(assumed.credentials.accessKeyId, /^ASIAFAKE/);
        assert.strictEqual(assumed.assumedRoleArn, "ignored");

        aws.faults.assumeRoleError = () => awsError("NoSuchEntity", 404);
        let slept = 0;
        await assert.rejects(
            assumeRoleWithPropagationRetry(
                hostSts(),
                { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
                { timeoutMs: 60_000, sleep: boundedSleep(20, () => void slept++) },
            ),
            { name: "NoSuchEntity" },
        );
        assert.strictEqual(slept, 0);
    });

    it("AssumeRole gives up when the next wait would pass the deadline, and starts at 500 ms by default", async () => {
        aws.faults.assumeRoleError = () => awsError("AccessDenied", 403);
        let now = 0;
        const waits: number[] = [];
        const policy = {
            timeoutMs: 1_300,
            now: () => now,
            // Each run of the policy sleeps 4 times at most; a retry without a deadline fails here.
            sleep: boundedSleep(20, (ms) => {
                waits.push(ms);
                now += ms;
            }),
        };
        await assert.rejects(
            assumeRoleWithPropagationRetry(
                hostSts(),
                { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
                policy,
            ),
            { name: "AccessDenied" },
        );
        // 500 then 800 fit exactly in 1,300 ms; the next (1,280) would not.
        assert.deepStrictEqual(waits, [500, 800]);
        waits.length = 0;
        now = 0;
        await assert.rejects(
            assumeRoleWithPropagationRetry(
                hostSts(),
                { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
                { ...policy, initialDelayMs: 100 },
            ),
        );
        assert.deepStrictEqual(waits.map(Math.round), [100, 160, 256, 410]);
    });

    it("refuses an AssumeRole answer without complete credentials", async () => {
        for (const drop of ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]) {
            aws.faults.expiration = undefined;
            const { mockClient } = await import("aws-sdk-client-mock");
            const sts = mockClient(STSClient);
            const credentials: Record<string, unknown> = {
                AccessKeyId: "ASIA1",
                SecretAccessKey: "s",
                SessionToken: "t",
                Expiration: new Date(),
            };
            delete credentials[drop];
            sts.onAnyCommand().resolves({ Credentials: credentials as never });
            await assert.rejects(
                assumeRoleWithPropagationRetry(
                    hostSts(),
                    { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
                    { timeoutMs: 0 },
                ),
                /AssumeRole answered without complete credentials/,
                drop,
            );
            sts.onAnyCommand().resolves({});
            await assert.rejects(
                assumeRoleWithPropagationRetry(
                    hostSts(),
                    { roleArn: roleA, sessionName: "s", durationSeconds: 900 },
                    { timeoutMs: 0 },
                ),
                /without complete credentials/,
            );
            sts.restore();
        }
    });
});

describe("verify session ARNs and expiry", () => {
    it("builds the session ARN from partition, account and role name (not its path)", () => {
        assert.strictEqual(
            expectedSessionArn("arn:aws-cn:iam::123456789012:role/team/app/svc", "s-1"),
            "arn:aws-cn:sts::123456789012:assumed-role/svc/s-1",
        );
        assert.strictEqual(
            sessionArnPrefix("arn:aws:iam::123456789012:role/svc"),
            "arn:aws:sts::123456789012:assumed-role/svc/",
        );
    });

    const issuedAt = Date.UTC(2026, 10, 29, 12, 0, 0);
    const window = { sentAt: issuedAt - 200, answeredAt: issuedAt + 300 };
    const expiry = (offsetMs: number, now = issuedAt + 1_000) =>
        checkCredentialsExpiry(new Date(issuedAt + 900_000 + offsetMs), 900, window, "svc", now);

    it("accepts fresh credentials and says when they expire", () => {
        assert.deepStrictEqual(expiry(0), {
            ok: true,
            observed:
                "expire at 2026-11-29T12:15:00.000Z (in 15 min); apps refresh with fromTemporaryCredentials",
        });
    });

    it("fails credentials already expired by the host's clock, at the second they expire too", () => {
        const at = issuedAt + 900_000;
        for (const now of [at, at + 5_000]) {
            const outcome = expiry(0, now);
            assert.strictEqual(outcome.ok, false);
            assert.strictEqual(
                outcome.observed,
                `expired at 2026-11-29T12:15:00.000Z, ${Math.round((now - at) / 1000)} s before the host's clock (${new Date(now).toISOString()})`,
            );
            assert.match(
                outcome.diagnosis!,
                /^service svc: the credentials AssumeRole returned are already expired/,
            );
        }
        assert.strictEqual(expiry(0, at - 1).ok, true);
    });

    it("fails only a lag proven beyond 5 minutes: the host's clock behind AWS's", () => {
        // AWS's clock at issue is expiration - duration; the host saw the answer by answeredAt.
        const lagLimit = maxClockLagMs + 300;
        assert.strictEqual(expiry(lagLimit).ok, true, "exactly 5 min behind at worst: accepted");
        const behind = expiry(lagLimit + 1_000);
        assert.strictEqual(behind.ok, false);
        assert.strictEqual(
            behind.observed,
            "expire at 2026-11-29T12:20:01.300Z, yet issued for 900 s: the host's clock is at least 301 s behind AWS's",
        );
        assert.match(
            behind.diagnosis!,
            /^service svc: the host's clock runs more than 300 s behind AWS's/,
        );
    });

    it("notes a host clock running more than 5 minutes ahead, without failing", () => {
        const ahead = expiry(-(maxClockLagMs + 1_200));
        assert.strictEqual(ahead.ok, true);
        assert.match(
            ahead.observed,
            /; the host's clock is at least 301 s ahead of AWS's \(credentials are refreshed early\)$/,
        );
        assert.doesNotMatch(expiry(-(maxClockLagMs + 200)).observed, /ahead/);
    });
});

describe("verify diagnoses", () => {
    const ctx: DiagnosisContext = {
        service: "svc",
        bucket: "bucket-a",
        roleArn: roleA,
        propagationTimeoutMs: 30_000,
        roleArnSource: "--targets[2].roleArn",
        externalIdSource: "externalId in --targets[2]",
    };
    const single = { ...ctx, roleArnSource: "--role-arn", externalIdSource: "--external-id" };

    it("names AWS not answering, and a missing bucket with the flag or plan entry that names it", () => {
        assert.match(
            diagnose("put-object", connectionReset(), ctx),
            /^AWS did not answer: check the host's outbound HTTPS/,
        );
        assert.strictEqual(
            diagnose("put-object", awsError("NoSuchBucket", 404), ctx),
            "bucket bucket-a does not exist (service svc): a wrong --targets[2].bucket, or the bucket was destroyed.",
        );
        assert.strictEqual(
            diagnose("base-denied", awsError("NoSuchBucket", 404), single),
            "bucket bucket-a does not exist (service svc): a wrong --bucket, or the bucket was destroyed.",
        );
    });

    it("identity steps point at the instance profile and IMDSv2", () => {
        const base = diagnose("base-identity", awsError("CredentialsProviderError", 400), ctx);
        assert.match(
            base,
            /^no usable credentials from the host's instance profile: .* \(CredentialsProviderError\)$/,
        );
        assert.match(
            diagnose("profile-identity", awsError("X", 400), ctx),
            /^service svc, profile route: no usable credentials/,
        );
    });

    it("base-denied: any answer but AccessDenied leaves the denial unproven", () => {
        assert.strictEqual(
            diagnose("base-denied", awsError("Forbidden", 403), ctx),
            "listing bucket bucket-a of service svc as the host role failed with Forbidden rather than AccessDenied, so the host role's denial is not proven.",
        );
    });

    it("object steps name the action and resource refused, or S3's answer", () => {
        const denied = awsError("AccessDenied", 403);
        assert.strictEqual(
            diagnose("list-objects", denied, ctx),
            `service svc: the target role's access policy does not allow s3:ListBucket on arn:aws:s3:::bucket-a, or --targets[2].roleArn (${roleA}) names a role other than the bucket's target role.`,
        );
        for (const [step, action] of [
            ["put-object", "s3:PutObject"],
            ["get-object", "s3:GetObject"],
            ["delete-object", "s3:DeleteObject"],
            ["profile-round-trip", "the S3 object actions"],
        ] as const) {
            assert.match(
                diagnose(step, denied, ctx),
                new RegExp(`does not allow ${action} on arn:aws:s3:::bucket-a/\\*,`),
            );
        }
        assert.strictEqual(
            diagnose("get-object", awsError("InvalidObjectState", 403, "archived"), ctx),
            "service svc: S3 refused with InvalidObjectState: archived",
        );
        assert.strictEqual(
            diagnose("assumed-identity", awsError("ExpiredToken", 400, "expired"), ctx),
            "service svc: ExpiredToken: expired",
        );
    });

    it("assume-role: missing role, duration, disabled region, other errors, and which policy refused", () => {
        assert.strictEqual(
            diagnose("assume-role", awsError("NoSuchEntity", 404), ctx),
            `the role ${roleA} of service svc does not exist: check --targets[2].roleArn.`,
        );
        assert.match(
            diagnose("assume-role", awsError("NoSuchEntityException", 404), ctx),
            /does not exist/,
        );
        assert.strictEqual(
            diagnose(
                "assume-role",
                awsError(
                    "ValidationError",
                    400,
                    "The requested DurationSeconds exceeds the MaxSessionDuration",
                ),
                ctx,
            ),
            "--duration-seconds exceeds the MaxSessionDuration of service svc's role.",
        );
        assert.strictEqual(
            diagnose("assume-role", awsError("ValidationError", 400, "bad session name"), ctx),
            "service svc: ValidationError: bad session name",
        );
        assert.strictEqual(
            diagnose("assume-role", awsError("RegionDisabledException", 403), ctx),
            "STS is not activated in this region for the account (service svc).",
        );
        const existing = `If ${roleA} is a role you already had, its trust policy must name the host role or the account root, and the host role needs sts:AssumeRole on it.`;
        const waited = "Retried for 30 s, so this is not IAM propagation delay.";
        assert.strictEqual(
            diagnose(
                "assume-role",
                awsError("AccessDenied", 403, "... because no identity-based policy allows ..."),
                ctx,
            ),
            `service svc: the host role's identity policy does not allow sts:AssumeRole on ${roleA}. ${existing} ${waited}`,
        );
        for (const message of ["no resource-based policy allows", "the trust policy"]) {
            assert.strictEqual(
                diagnose("assume-role", awsError("AccessDenied", 403, message), ctx),
                `service svc: the target role's trust policy does not allow the host role. ${existing} ${waited}`,
            );
        }
        const vague = diagnose("assume-role", awsError("AccessDenied", 403, "not authorized"), ctx);
        assert.strictEqual(
            vague,
            `service svc: AssumeRole into ${roleA} was refused. Either the host role's identity policy lacks sts:AssumeRole on ${roleA}, ` +
                "or the target role's trust policy does not name the host role (trustMode role) or the account root (trustMode account-root, narrowed by aws:PrincipalArn if set)" +
                ", or the trust requires an ExternalId (give externalId in --targets[2]), or --targets[2].roleArn is wrong. " +
                `${existing} ${waited}`,
        );
        assert.match(
            diagnose("assume-role", awsError("AccessDenied", 403), { ...single, externalId: "x" }),
            /, or the ExternalId does not match, or --role-arn is wrong\./,
        );
    });

    it("isolation: a missing bucket, AWS not answering, or another error: isolation not proven", () => {
        assert.strictEqual(
            diagnoseIsolation(awsError("NoSuchBucket", 404), "svc", "bucket-b"),
            "bucket bucket-b does not exist, so service svc's isolation from it is not proven: a mistyped bucket in the plan, or the bucket was destroyed.",
        );
        assert.strictEqual(
            diagnoseIsolation(connectionReset(), "svc", "bucket-b"),
            "AWS did not answer listing bucket bucket-b, so service svc's isolation from it is not proven: check the host's outbound HTTPS and the region.",
        );
        assert.strictEqual(
            diagnoseIsolation(awsError("Forbidden", 403), "svc", "bucket-b"),
            "service svc: listing bucket bucket-b failed with Forbidden rather than AccessDenied, so its isolation from that bucket is not proven.",
        );
    });
});

describe("verify role chaining", () => {
    it("refuses more than an hour from an assumed-role session, and allows it otherwise", () => {
        const session = "arn:aws:sts::123456789012:assumed-role/host/i-1";
        assert.doesNotThrow(() => checkRoleChaining(session, 3600));
        assert.doesNotThrow(() => checkRoleChaining("arn:aws:iam::123456789012:user/me", 7200));
        assert.doesNotThrow(() =>
            checkRoleChaining("arn:aws:sts::123456789012:federated-user/x", 7200),
        );
        assert.throws(
            () => checkRoleChaining(session, 3601),
            (error: unknown) =>
                error instanceof UsageError &&
                error.flag === "--duration-seconds" &&
                error.message ===
                    `--duration-seconds: got 3601; this machine's own identity ${session} is an assumed-role session (on EC2, the instance profile), ` +
                        "so AssumeRole from it is role chaining, which AWS caps at 3600 s (1 hour) whatever the role's MaxSessionDuration; expected 3600 or less",
        );
        assert.throws(
            () => checkRoleChaining("arn:aws-us-gov:sts::123456789012:assumed-role/h/i", 3601),
            UsageError,
        );
    });
});
