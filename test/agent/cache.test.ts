import * as assert from "assert";

import { CredentialCache, RoleCredentials, RoleRequest } from "../../verify/host/agent/cache";

const minute = 60_000;

/** A fake STS: counts calls, answers when told, with credentials that expire after `lifeMs`. */
class FakeSts {
    calls = 0;
    failing = false;
    lifeMs = 60 * minute;
    private waiting: (() => void)[] = [];
    held = false;
    constructor(private readonly clock: { now: number }) {}

    readonly assumeRole = async (request: RoleRequest): Promise<RoleCredentials> => {
        this.calls++;
        const n = this.calls;
        if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
        if (this.failing)
            throw Object.assign(new Error("STS is down"), { name: "ServiceUnavailable" });
        return {
            accessKeyId: `AKIA${request.name}${n}`,
            secretAccessKey: `secret-${n}`,
            sessionToken: `token-${n}`,
            expiration: new Date(this.clock.now + this.lifeMs),
        };
    };

    release(): void {
        this.held = false;
        for (const resolve of this.waiting.splice(0)) resolve();
    }
}

const a: RoleRequest = { name: "a", roleArn: "arn:aws:iam::123456789012:role/a" };
const b: RoleRequest = { name: "b", roleArn: "arn:aws:iam::123456789012:role/b" };
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setUp() {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const sts = new FakeSts(clock);
    const logged: string[] = [];
    const cache = new CredentialCache(sts.assumeRole, {
        now: () => clock.now,
        log: (line) => logged.push(line),
    });
    return { clock, sts, cache, logged };
}

describe("agent credential cache", () => {
    it("shares one AssumeRole among concurrent first requests for a service", async () => {
        const { sts, cache } = setUp();
        sts.held = true;
        const asked = Array.from({ length: 50 }, () => cache.get(a));
        const other = cache.get(b);
        await settle();
        assert.strictEqual(sts.calls, 2);
        sts.release();
        const answers = await Promise.all(asked);
        assert.ok(answers.every((c) => c === answers[0]));
        assert.notStrictEqual((await other).accessKeyId, answers[0].accessKeyId);
    });

    it("serves from memory with no STS call until the last five minutes", async () => {
        const { clock, sts, cache } = setUp();
        const first = await cache.get(a);
        clock.now += 54 * minute;
        assert.strictEqual(await cache.get(a), first);
        assert.strictEqual(sts.calls, 1);
    });

    it("refreshes in the background within the last five minutes, serving the old meanwhile", async () => {
        const { clock, sts, cache } = setUp();
        const first = await cache.get(a);
        clock.now += 56 * minute;
        sts.held = true;
        assert.strictEqual(await cache.get(a), first);
        assert.strictEqual(await cache.get(a), first);
        assert.strictEqual(sts.calls, 2);
        sts.release();
        await settle();
        const second = await cache.get(a);
        assert.notStrictEqual(second, first);
        assert.strictEqual(sts.calls, 2);
    });

    it("never serves an expired credential", async () => {
        const { clock, sts, cache } = setUp();
        const first = await cache.get(a);
        clock.now += 60 * minute;
        const next = await cache.get(a);
        assert.notStrictEqual(next, first);
        assert.ok(next.expiration.getTime() > clock.now);
        assert.strictEqual(sts.calls, 2);
    });

    it("STS down: serves the cached until expiry, fails the uncached, recovers with STS", async () => {
        const { clock, sts, cache, logged } = setUp();
        const first = await cache.get(a);
        sts.failing = true;
        clock.now += 58 * minute;
        assert.strictEqual(await cache.get(a), first);
        await settle();
        assert.match(logged.join("\n"), /refresh for a failed: ServiceUnavailable: STS is down/);
        await assert.rejects(cache.get(b), /STS is down/);
        clock.now += 2 * minute;
        await assert.rejects(cache.get(a), /STS is down/);
        sts.failing = false;
        const recovered = await cache.get(a);
        assert.ok(recovered.expiration.getTime() > clock.now);
        assert.ok(await cache.get(b));
    });

    it("forgets a removed or changed service, and drops an answer that arrives after", async () => {
        const { sts, cache } = setUp();
        await cache.get(a);
        sts.held = true;
        const late = cache.get(b);
        await settle();
        cache.retain([{ ...a, externalId: "changed" }]);
        sts.release();
        await late;
        assert.strictEqual(cache.size, 0);
        await cache.get({ ...a, externalId: "changed" });
        assert.strictEqual(sts.calls, 3);
    });
});
