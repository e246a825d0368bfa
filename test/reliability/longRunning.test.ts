// Long-running use of the library's assumeRoleCredentials: a sample app makes 10,000 S3 calls
// across several credential lifetimes. The SDK refreshes credentials 5 minutes before they expire,
// so DurationSeconds 303 gives an effective lifetime of 3 s. (AWS's minimum is 900 s; moto accepts
// less and does not enforce expiry, so this measures the refresh logic, not AWS's expiry.)
// AssumeRole calls are counted at a pass-through proxy in front of the emulator.
import * as assert from "assert";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

import { assumeRoleCredentials } from "../../verify/host/proof/credentials";
import { FaultProxy, noFaults, seededRandom, startFaultProxy } from "../../lab/faultProxy";
import { Moto, region, startMoto } from "../../lab/moto";
import { createScenario } from "../../lab/scenario";

const calls = 10_000;
const concurrency = 8;
const durationSeconds = 303;
const sdkRefreshWindowSeconds = 300;
const lifetimeSeconds = durationSeconds - sdkRefreshWindowSeconds;

describe("long-running use of assumeRoleCredentials", function () {
    this.timeout(10 * 60_000);
    let moto: Moto;
    let proxy: FaultProxy;

    before(async () => {
        moto = await startMoto();
        proxy = await startFaultProxy(moto.endpoint);
    });
    after(async () => {
        await proxy?.stop();
        await moto?.stop();
    });

    it(`${calls} S3 calls across several credential lifetimes: AssumeRole ≤ ceil(T / lifetime) + 1, no failed call`, async () => {
        const scenario = await createScenario(moto, "correct");
        proxy.reset(noFaults, seededRandom(1));
        const credentials = assumeRoleCredentials({
            roleArn: scenario.targetRoleArn,
            region,
            sessionName: "sample-app",
            durationSeconds,
            masterCredentials: scenario.hostCredentials,
            endpoint: proxy.endpoint,
        });
        const s3 = new S3Client({
            region,
            endpoint: proxy.endpoint,
            forcePathStyle: true,
            credentials,
        });
        await s3.send(
            new PutObjectCommand({ Bucket: scenario.bucket, Key: "app/data.txt", Body: "hello" }),
        );

        let next = 0;
        let failed = 0;
        const firstError: unknown[] = [];
        const started = Date.now();
        const worker = async () => {
            while (next < calls) {
                next++;
                try {
                    const listing = await s3.send(
                        new ListObjectsV2Command({ Bucket: scenario.bucket, MaxKeys: 1 }),
                    );
                    if (listing.KeyCount !== 1)
                        throw new Error(`unexpected listing: ${listing.KeyCount}`);
                } catch (error) {
                    failed++;
                    if (firstError.length === 0) firstError.push(error);
                }
            }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        const seconds = (Date.now() - started) / 1000;
        const assumeRoleCalls = proxy.stats.forwarded["sts:AssumeRole"] ?? 0;
        const bound = Math.ceil(seconds / lifetimeSeconds) + 1;
        console.log(
            `      ${calls} calls in ${seconds.toFixed(1)} s (${Math.round(calls / seconds)}/s), ` +
                `${assumeRoleCalls} AssumeRole calls for ${(seconds / lifetimeSeconds).toFixed(1)} lifetimes of ${lifetimeSeconds} s (bound ${bound}), ${failed} failed`,
        );
        assert.strictEqual(failed, 0, `first failure: ${String(firstError[0])}`);
        assert.ok(seconds > 2 * lifetimeSeconds, "the run must span several credential lifetimes");
        assert.ok(assumeRoleCalls >= 2, "credentials must have been refreshed");
        assert.ok(assumeRoleCalls <= bound, `${assumeRoleCalls} AssumeRole calls exceed ${bound}`);
    });
});
