// The ExternalId on the wire: every AssumeRole the proof sends for a service whose plan entry
// names an ExternalId carries exactly that value, on the single-target route and with a session
// per service. The stubbed STS (test/support/fakeAws.ts) enforces the trust's sts:ExternalId
// condition, which moto does not, so a proof that drops or swaps it fails here too.
import * as assert from "assert";

import type { VerifyTarget } from "../../../contract/plan";
import { formatChecklist } from "../../../contract/report";
import {
    account,
    FakeAccount,
    fakeAccount,
    roleA,
    roleB,
    targetA,
    targetB,
} from "../../support/fakeAws";
import { boundedSleep } from "../../support/bounded";
import { proveStubbed } from "../../support/stubbedProof";

const roleC = `arn:aws:iam::${account}:role/service-c`;
const targetC: VerifyTarget = { name: "service-c", roleArn: roleC, bucket: "bucket-c" };

describe("the ExternalId reaches STS (stubbed AWS)", function () {
    this.timeout(20_000);
    let aws: FakeAccount;

    beforeEach(() => {
        aws = fakeAccount();
        for (const [role, bucket] of [
            [roleA, "bucket-a"],
            [roleB, "bucket-b"],
            [roleC, "bucket-c"],
        ]) {
            aws.buckets.set(bucket, new Map());
            aws.grants.set(role, bucket);
        }
        aws.externalIds.set(roleA, "ext-a-1");
        aws.externalIds.set(roleB, "ext-b-2");
    });
    afterEach(() => aws.restore());

    const prove = (targets: VerifyTarget[], propagationTimeoutMs = 1_000) =>
        proveStubbed(
            targets,
            { propagationTimeoutMs },
            { sleep: boundedSleep(100, undefined, true) },
        );

    /** The ExternalIds sent, per role ARN, each request once. */
    const sent = () => {
        const byRole = new Map<string, Set<string | undefined>>();
        for (const r of aws.assumeRoleRequests) {
            const ids = byRole.get(r.RoleArn!) ?? new Set();
            ids.add(r.ExternalId);
            byRole.set(r.RoleArn!, ids);
        }
        return byRole;
    };

    it("with a session per service: each service's own ExternalId, and none where it has none", async () => {
        const report = await prove([
            { ...targetA, externalId: "ext-a-1" },
            { ...targetB, externalId: "ext-b-2" },
            targetC,
        ]);
        assert.strictEqual(report.ok, true, formatChecklist(report));
        assert.deepStrictEqual([...sent()].map(([role, ids]) => [role, [...ids]]).sort(), [
            [roleA, ["ext-a-1"]],
            [roleB, ["ext-b-2"]],
            [roleC, [undefined]],
        ]);
    });

    it("with one target (--role-arn, --external-id): the ExternalId given", async () => {
        const report = await prove([{ ...targetA, name: "target", externalId: "ext-a-1" }]);
        assert.strictEqual(report.ok, true, formatChecklist(report));
        assert.ok(aws.assumeRoleRequests.length > 0);
        assert.ok(aws.assumeRoleRequests.every((r) => r.ExternalId === "ext-a-1"));
    });

    it("the stubbed STS denies a missing or wrong ExternalId, as the trust condition does", async () => {
        for (const externalId of [undefined, "ext-a-wrong"]) {
            aws.assumeRoleRequests.length = 0;
            const report = await prove([{ ...targetA, externalId }], 0);
            assert.strictEqual(report.ok, false);
            const assume = report.services[0].steps.find((s) => s.name === "assume-role")!;
            assert.strictEqual(assume.ok, false);
            assert.match(assume.observed, /^AccessDenied/);
            assert.deepStrictEqual(
                aws.assumeRoleRequests.map((r) => r.ExternalId),
                aws.assumeRoleRequests.map(() => externalId),
            );
        }
    });
});
