// The proof's request pool and its --concurrency flag: the bound holds whatever the work does,
// waiters go first come first served, a failed request gives its slot back, and the flag takes
// 1 to 256 (a usage error naming the flag otherwise).
import * as assert from "assert";

import { UsageError } from "../../contract/usageError";
import { parseArgs } from "../../verify/host/proof/args";
import { concurrencyBounds, defaultConcurrency } from "../../verify/host/proof/options";
import { RequestPool } from "../../verify/host/proof/requestPool";
import { within } from "../support/bounded";

/** A request the test answers by hand. */
function deferred() {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("the request pool", function () {
    // All in-process: a pool that never releases a slot fails here in seconds, naming the wait.
    this.timeout(10_000);
    it("never has more than its limit in flight, and starts waiters first come first served", async () => {
        const pool = new RequestPool(2);
        const requests = Array.from({ length: 5 }, deferred);
        const started: number[] = [];
        const done = requests.map((r, i) =>
            pool.run(async () => {
                started.push(i);
                await r.promise;
                return i;
            }),
        );
        await flush();
        assert.deepStrictEqual(started, [0, 1]);
        requests[1].resolve();
        await flush();
        assert.deepStrictEqual(started, [0, 1, 2]);
        requests[0].resolve();
        await flush();
        assert.deepStrictEqual(started, [0, 1, 2, 3]);
        for (const r of requests) r.resolve();
        assert.deepStrictEqual(
            await within(2_000, Promise.all(done), "every request of the pool"),
            [0, 1, 2, 3, 4],
        );
        assert.strictEqual(pool.peak, 2);
    });

    it("gives the slot back when a request fails", async () => {
        const pool = new RequestPool(1);
        const failing = pool.run(async () => {
            throw new Error("ECONNRESET");
        });
        await assert.rejects(failing, /ECONNRESET/);
        assert.strictEqual(
            await within(
                2_000,
                pool.run(async () => "next"),
                "a request after a failed one",
            ),
            "next",
        );
    });

    it("refuses a limit below 1", () => {
        assert.throws(() => new RequestPool(0), /positive integer, got 0/);
    });
});

describe("--concurrency", () => {
    const base = [
        "--bucket",
        "b-bucket",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--region",
        "us-east-1",
    ];

    it(`defaults to ${defaultConcurrency} and takes ${concurrencyBounds.min} to ${concurrencyBounds.max}`, () => {
        assert.strictEqual(parseArgs(base, {}).concurrency, defaultConcurrency);
        assert.strictEqual(parseArgs([...base, "--concurrency", "1"], {}).concurrency, 1);
        assert.strictEqual(parseArgs([...base, "--concurrency=256"], {}).concurrency, 256);
    });

    for (const bad of ["0", "257", "eight", "2.5", "-1"]) {
        it(`refuses --concurrency=${bad} as a usage error naming the flag and the bounds`, () => {
            assert.throws(
                () => parseArgs([...base, `--concurrency=${bad}`], {}),
                (error: unknown) =>
                    error instanceof UsageError &&
                    error.message ===
                        `--concurrency: got ${JSON.stringify(bad)}; expected an integer from 1 to 256`,
            );
        });
    }
});
