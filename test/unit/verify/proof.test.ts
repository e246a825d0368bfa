// The proof against a stubbed AWS account (test/support/fakeAws.ts): the conditions moto cannot
// produce, each of which must fail the proof, never pass it. One test per way the proof could
// report a proof that did not happen.
import * as assert from "assert";

import type { ProofOptions } from "../../../verify/host/proof/options";
import { formatChecklist, type ProofReport, type StepResult } from "../../../contract/report";
import type { VerifyTarget } from "../../../contract/plan";
import {
    account,
    awsError,
    connectionReset,
    FakeAccount,
    fakeAccount,
    type S3Call,
    roleA,
    roleB,
    targetA,
    targetB,
} from "../../support/fakeAws";
import { boundedSleep } from "../../support/bounded";
import { passed, roundTripSteps } from "../../support/proofSteps";
import { proveStubbed } from "../../support/stubbedProof";

/** With a 1 s propagation timeout and no real wait between AssumeRole retries. */
function prove(targets: VerifyTarget[], extra: Partial<ProofOptions> = {}): Promise<ProofReport> {
    return proveStubbed(
        targets,
        { propagationTimeoutMs: 1_000, ...extra },
        // The real clock (credential expiry is checked on it) and no real wait; a retry that
        // never gives up fails at the bound, and each wait yields so mocha's timeout can fire.
        { sleep: boundedSleep(100, () => undefined, true) },
    );
}

function step(report: ProofReport, service: string, name: string): StepResult {
    const found = report.services
        .find((s) => s.name === service)
        ?.steps.find((s) => s.name === name);
    assert.ok(found, `no step ${name} for ${service}: ${JSON.stringify(report.services)}`);
    return found;
}

describe("the proof never passes falsely (stubbed AWS)", function () {
    this.timeout(20_000);
    let aws: FakeAccount;

    beforeEach(() => {
        aws = fakeAccount();
        aws.buckets.set("bucket-a", new Map([["kept.txt", "someone's data"]]));
        aws.buckets.set("bucket-b", new Map());
        aws.grants.set(roleA, "bucket-a");
        aws.grants.set(roleB, "bucket-b");
    });
    afterEach(() => aws.restore());

    it("proves a correct account, and leaves each bucket as it found it", async () => {
        const report = await prove([targetA, targetB]);
        assert.strictEqual(report.ok, true, formatChecklist(report));
        assert.deepStrictEqual(
            report.services[0].steps.map((s) => [s.name, s.ok]),
            passed(roundTripSteps),
        );
        assert.deepStrictEqual([...aws.buckets.get("bucket-a")!], [["kept.txt", "someone's data"]]);
        assert.deepStrictEqual([...aws.buckets.get("bucket-b")!], []);
        assert.deepStrictEqual(
            report.isolation.map((r) => [r.service, r.bucket, r.ok, r.observed]),
            [
                ["service-a", "bucket-b", true, "AccessDenied"],
                ["service-b", "bucket-a", true, "AccessDenied"],
            ],
        );
    });

    // Item 16: only AccessDenied proves the host role is denied.
    const hostListingAnswers: [string, () => Error, RegExp][] = [
        ["a 503", () => awsError("ServiceUnavailable", 503), /AWS did not answer/],
        ["a reset connection", connectionReset, /AWS did not answer/],
        [
            "NoSuchBucket",
            () => awsError("NoSuchBucket", 404),
            /bucket bucket-a does not exist \(service service-a\)/,
        ],
        [
            "a proxy's bare 403",
            () => awsError("Forbidden", 403),
            /failed with Forbidden rather than AccessDenied, so the host role's denial is not proven/,
        ],
    ];
    for (const [label, error, diagnosis] of hostListingAnswers) {
        it(`base-denied fails when the host's listing answers ${label}, not AccessDenied`, async () => {
            aws.faults.s3Error = (call) =>
                call.caller.kind === "host" && call.input.Bucket === "bucket-a"
                    ? error()
                    : undefined;
            const report = await prove([targetA]);
            assert.strictEqual(report.ok, false);
            const denied = step(report, "service-a", "base-denied");
            assert.strictEqual(denied.ok, false);
            assert.match(denied.diagnosis!, diagnosis);
            assert.match(denied.diagnosis!, /service-a/);
        });
    }

    // Item 17: a listing of another service's bucket answered NoSuchBucket is not isolation.
    /**
     * Asserts that the one failure of `report` is service-a's isolation row from bucket-b: every
     * service's own steps and every other row pass, so `ok: false` is that row's doing.
     */
    function onlyRowFails(report: ProofReport): void {
        for (const service of report.services)
            for (const s of service.steps)
                assert.strictEqual(s.ok, true, `${service.name} ${s.name}: ${s.observed}`);
        assert.deepStrictEqual(
            report.isolation.filter((r) => !r.ok).map((r) => [r.service, r.bucket]),
            [["service-a", "bucket-b"]],
        );
        assert.strictEqual(report.ok, false);
    }

    /** service-a's own session listing bucket-b, and nobody else's request. */
    const serviceAListsB = (call: S3Call) =>
        call.caller.kind === "session" &&
        call.caller.roleArn === roleA &&
        call.command === "ListObjectsV2" &&
        call.input.Bucket === "bucket-b";

    it("an isolation row fails when the other bucket does not exist (mistyped or destroyed)", async () => {
        // Only service-a's listing is told NoSuchBucket: service-b's own round trip still works.
        aws.faults.s3Error = (call) =>
            serviceAListsB(call)
                ? awsError("NoSuchBucket", 404, "The specified bucket does not exist")
                : undefined;
        const report = await prove([targetA, targetB]);
        onlyRowFails(report);
        const row = report.isolation.find(
            (r) => r.service === "service-a" && r.bucket === "bucket-b",
        )!;
        assert.strictEqual(row.ok, false);
        assert.match(row.observed, /^NoSuchBucket \(HTTP 404\)/);
        assert.match(
            row.diagnosis!,
            /bucket bucket-b does not exist, so service service-a's isolation from it is not proven: a mistyped bucket/,
        );
        assert.doesNotMatch(formatChecklist(report), /PROOF HOLDS/);
    });

    it("an isolation row fails when the listing answers a 503, a reset or any other error", async () => {
        const errors = [
            awsError("ServiceUnavailable", 503),
            connectionReset(),
            awsError("Forbidden", 403),
        ];
        for (const error of errors) {
            aws.faults.s3Error = (call) => (serviceAListsB(call) ? error : undefined);
            const report = await prove([targetA, targetB]);
            onlyRowFails(report);
            const row = report.isolation.find((r) => r.service === "service-a")!;
            assert.deepStrictEqual([row.bucket, row.ok], ["bucket-b", false], error.name);
            assert.match(row.diagnosis!, /isolation from (it|that bucket) is not proven/);
        }
    });

    // Item 18: what is read back must be what was written, byte for byte.
    it("get-object fails when the object read back differs from the probe, even at the same length", async () => {
        aws.faults.getBody = (stored) =>
            stored.replace(/[0-9a-f](?=\n$)/, (c) => (c === "0" ? "1" : "0"));
        const report = await prove([targetA]);
        const get = step(report, "service-a", "get-object");
        assert.strictEqual(get.ok, false);
        assert.match(get.observed, /^read \d+ bytes that differ from what was written$/);
        assert.strictEqual(report.ok, false);
        assert.strictEqual(
            step(report, "service-a", "delete-object").ok,
            true,
            "the probe is still removed",
        );
        assert.deepStrictEqual([...aws.buckets.get("bucket-a")!.keys()], ["kept.txt"]);
    });

    // Item 19: the session must be the service role's, with the session name asked for.
    const otherSessions: [string, (honest: string) => string][] = [
        ["another role", (arn) => arn.replace("/service-a/", "/service-b/")],
        ["the same role name in another account", (arn) => arn.replace(account, "210987654321")],
        ["another session of the role", (arn) => arn.replace(/\/verify$/, "/someone-else")],
        ["another partition", (arn) => arn.replace("arn:aws:", "arn:aws-cn:")],
    ];
    for (const [label, forge] of otherSessions) {
        it(`assumed-identity fails for a session of ${label}`, async () => {
            aws.faults.sessionArn = forge;
            const before = [...(aws.buckets.get("bucket-a")?.keys() ?? [])];
            const report = await prove([targetA]);
            const identity = step(report, "service-a", "assumed-identity");
            assert.strictEqual(identity.ok, false);
            assert.strictEqual(
                identity.observed,
                forge(`arn:aws:sts::${account}:assumed-role/service-a/verify`),
            );
            assert.match(identity.diagnosis!, /do not belong to service service-a's role session/);
            assert.strictEqual(report.ok, false);
            // The round trip runs beside the identity check: whatever it wrote is removed.
            assert.deepStrictEqual([...aws.buckets.get("bucket-a")!.keys()], before);
        });
    }

    // Item 20: credentials already expired (or that the host would keep using past expiry).
    it("credentials-expiry fails for credentials that are already expired", async () => {
        aws.faults.expiration = () => new Date(Date.now() - 1_000);
        const report = await prove([targetA]);
        const expiry = step(report, "service-a", "credentials-expiry");
        assert.strictEqual(expiry.ok, false);
        assert.match(expiry.observed, /^expired at \S+, \d+ s before the host's clock/);
        assert.match(expiry.diagnosis!, /already expired by the host's clock/);
        assert.strictEqual(report.ok, false);
    });

    it("credentials-expiry fails when the host's clock runs more than 5 minutes behind AWS's", async () => {
        aws.faults.expiration = (honest) => new Date(honest.getTime() + 6 * 60_000);
        const report = await prove([targetA]);
        const expiry = step(report, "service-a", "credentials-expiry");
        assert.strictEqual(expiry.ok, false);
        assert.match(expiry.observed, /the host's clock is at least 3\d\d s behind AWS's/);
        assert.strictEqual(report.ok, false);
    });

    // Item 21: the listing must show the probe just written.
    const listings: [string, (stored: string[]) => string[]][] = [
        ["is empty", () => []],
        ["shows only other keys", () => ["rolepair-verify/another-probe.txt"]],
    ];
    for (const [label, listKeys] of listings) {
        it(`list-objects fails when the listing ${label}`, async () => {
            aws.faults.listKeys = listKeys;
            const report = await prove([targetA]);
            const list = step(report, "service-a", "list-objects");
            assert.strictEqual(list.ok, false);
            assert.match(list.diagnosis!, /written but is not listed/);
            assert.strictEqual(report.ok, false);
            assert.deepStrictEqual([...aws.buckets.get("bucket-a")!.keys()], ["kept.txt"]);
        });
    }

    it("put-object is reported skipped, not ✓, when DeleteObject is not declared", async () => {
        const report = await prove([{ ...targetA, objectActions: ["s3:PutObject"] }]);
        assert.strictEqual(report.ok, true, formatChecklist(report));
        const put = step(report, "service-a", "put-object");
        assert.deepStrictEqual([put.ok, put.skipped], [true, true]);
        assert.strictEqual(step(report, "service-a", "list-objects").skipped, undefined);
        const checklist = formatChecklist(report);
        assert.match(
            checklist,
            /^ {2}- put-object\s+skipped: PutObject is declared without DeleteObject/m,
        );
        assert.match(checklist, /^ {2}✓ list-objects/m);
        assert.strictEqual(aws.s3Calls.filter((c) => c.command === "PutObject").length, 0);
    });

    it("a retry loop that never sees an answer but AccessDenied ends at the proof's own deadline", async () => {
        // A virtual clock: each wait advances it, so the test does not depend on wall-clock speed.
        // A loop that never gave up would be stopped by the wait cap, not by mocha's timeout.
        aws.grants.delete(roleA);
        let now = 1_000_000;
        let waits = 0;
        const report = await proveStubbed(
            [targetA],
            { propagationTimeoutMs: 120_000 },
            {
                now: () => now,
                sleep: async (ms) => {
                    if (++waits > 1_000)
                        throw new Error("the retry loop did not give up after 1,000 waits");
                    now += ms;
                    await new Promise((resolve) => setImmediate(resolve));
                },
            },
        );
        const assume = step(report, "service-a", "assume-role");
        assert.strictEqual(assume.ok, false);
        assert.match(assume.observed, /^AccessDenied/);
        assert.match(assume.diagnosis!, /Retried for 120 s, so this is not IAM propagation delay/);
        // 500 ms, ×1.6 each time, capped at 5 s: 27 waits fit in 120 s, then a last attempt.
        assert.strictEqual(waits, 27);
        assert.strictEqual(aws.assumeRoleCalls, 28);
        assert.strictEqual(report.ok, false);
    });
});
