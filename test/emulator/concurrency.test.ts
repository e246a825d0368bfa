// The proof's concurrency against moto, through a proxy that can hold requests back: the report
// keeps the plan's order when things finish in another order; the request pool bounds what is in
// flight; and the first round trip of every service really goes out at once. Holds wait for
// events (another request answered, enough requests arrived), not for time, so no assertion
// depends on the machine's speed; each hold gives up after holdLimitMs (below the SDK's 15 s
// request timeout) so that a broken implementation fails an assertion instead of hanging.
import * as assert from "assert";

import type { ProofOptions } from "../../verify/host/proof/options";
import { runProof } from "../../verify/host/proof/proof";
import {
    FaultProxy,
    noFaults,
    ProxiedRequest,
    seededRandom,
    startFaultProxy,
} from "../../lab/faultProxy";
import { createMatrixScenario, MatrixScenario } from "../../lab/matrixScenario";
import { Moto, region, startMoto } from "../../lab/moto";
import { roundTripSteps } from "../support/proofSteps";

const holdLimitMs = 10_000;

/** Resolves once `done()` holds, checking every few ms; gives up after holdLimitMs. */
async function until(done: () => boolean): Promise<void> {
    const started = Date.now();
    while (!done() && Date.now() - started < holdLimitMs)
        await new Promise((resolve) => setTimeout(resolve, 5));
}

const bucketOf = (r: ProxiedRequest) => new URL(r.url, "http://proxy").pathname.split("/")[1];
/** GET/PUT/DELETE of an object (a key after the bucket), as opposed to a listing (/bucket/?...). */
const onObject = (r: ProxiedRequest) =>
    new URL(r.url, "http://proxy").pathname.split("/").slice(2).join("/") !== "";
const isListing = (r: ProxiedRequest) => r.operation === "s3:GET" && r.url.includes("list-type=2");

describe("the proof's concurrency, against the AWS emulator", function () {
    this.timeout(120_000);
    let moto: Moto;
    let proxy: FaultProxy;
    let s: MatrixScenario;

    before(async () => {
        moto = await startMoto();
        proxy = await startFaultProxy(moto.endpoint);
        s = await createMatrixScenario(moto, "correct");
    });
    after(async () => {
        await proxy?.stop();
        await moto?.stop();
    });
    beforeEach(() => proxy.reset(noFaults, seededRandom(1)));
    afterEach(() => proxy.holdWith(undefined));

    const prove = (extra: Partial<ProofOptions> = {}) =>
        runProof(
            {
                targets: s.plan(),
                region,
                sessionName: "concurrency",
                perServiceSessions: true,
                durationSeconds: 900,
                propagationTimeoutMs: 1_000,
                json: true,
                endpoint: proxy.endpoint,
                ...extra,
            },
            { baseCredentials: s.hostCredentials },
        );

    it("reports in the plan's order when services, steps and isolation rows finish out of order", async () => {
        const [a, b, c] = s.services;
        const answered = (match: (r: ProxiedRequest) => boolean) =>
            proxy.stats.answered.findIndex(match);
        const cDeleted = (r: ProxiedRequest) =>
            r.operation === "s3:DELETE" && bucketOf(r) === c.bucket;
        const bGotProbe = (r: ProxiedRequest) =>
            r.operation === "s3:GET" && bucketOf(r) === b.bucket && onObject(r);
        const bListedProbe = (r: ProxiedRequest) =>
            isListing(r) && bucketOf(r) === b.bucket && r.url.includes("prefix=");
        const cAssumed = (r: ProxiedRequest) => r.roleArn === c.roleArn;
        const hostListedC = (r: ProxiedRequest) =>
            isListing(r) && bucketOf(r) === c.bucket && r.caller === s.hostCredentials.accessKeyId;
        proxy.holdWith((r) => {
            // service-a (its role, and everything on its bucket) finishes after service-c.
            if (r.roleArn === a.roleArn || bucketOf(r) === a.bucket)
                return until(() => answered(cDeleted) >= 0);
            // service-b's get-object finishes before its list-objects.
            if (bListedProbe(r)) return until(() => answered(bGotProbe) >= 0);
            // service-c's assume-role finishes before its base-denied.
            if (hostListedC(r)) return until(() => answered(cAssumed) >= 0);
            return undefined;
        });

        const report = await prove();

        const aDeleted = (r: ProxiedRequest) =>
            r.operation === "s3:DELETE" && bucketOf(r) === a.bucket;
        /** An isolation row: another service's session listing the bucket. */
        const rowOn = (bucket: string) => (r: ProxiedRequest) =>
            isListing(r) &&
            bucketOf(r) === bucket &&
            !r.url.includes("prefix=") &&
            r.caller !== s.hostCredentials.accessKeyId;
        // The holds did make things finish out of the report's order.
        assert.ok(answered(cDeleted) < answered(aDeleted), "service-c finished before service-a");
        assert.ok(answered(bGotProbe) < answered(bListedProbe), "b's get before b's list");
        assert.ok(
            answered(cAssumed) < answered(hostListedC),
            "c's assume-role before its base-denied",
        );
        assert.ok(
            answered(rowOn(c.bucket)) < answered(rowOn(a.bucket)),
            "an isolation row on c's bucket before any on a's",
        );

        assert.strictEqual(report.ok, true, JSON.stringify(report, null, 2));
        assert.deepStrictEqual(
            report.services.map((x) => x.name),
            s.services.map((x) => x.name),
        );
        for (const service of report.services)
            assert.deepStrictEqual(
                service.steps.map((x) => x.name),
                roundTripSteps,
            );
        assert.deepStrictEqual(
            report.isolation.map((row) => [row.service, row.bucket]),
            [
                ["service-a", b.bucket],
                ["service-a", c.bucket],
                ["service-b", a.bucket],
                ["service-b", c.bucket],
                ["service-c", a.bucket],
                ["service-c", b.bucket],
            ],
        );
    });

    it("--concurrency bounds the requests in flight across all services (1: one at a time)", async () => {
        const report = await prove({ concurrency: 1 });
        assert.strictEqual(report.ok, true, JSON.stringify(report, null, 2));
        // 1 + 3 × (base-denied, assume-role, identity, put, list, get, delete, 2 isolation rows)
        assert.strictEqual(proxy.stats.requests, 28);
        assert.strictEqual(proxy.stats.peakInFlight, 1);
    });

    it("sends the host's identity and every service's base-denied and assume-role at once", async () => {
        // Nothing is answered until 7 requests have arrived: then the first 7 were all in flight.
        let answeredBeforeSeventh: number | undefined;
        proxy.holdWith(() => {
            if (proxy.stats.requests === 7) answeredBeforeSeventh = proxy.stats.answered.length;
            return until(() => proxy.stats.requests >= 7);
        });
        const report = await prove();
        assert.strictEqual(report.ok, true, JSON.stringify(report, null, 2));
        assert.strictEqual(
            answeredBeforeSeventh,
            0,
            "the host's GetCallerIdentity and the 3 services' ListObjectsV2 and AssumeRole must all be in flight before any answer",
        );
    });
});
