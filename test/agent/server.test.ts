import * as assert from "assert";

import { eventually, Harness, raw, request, roleArn, startHarness } from "./agentHarness";

describe("agent server (in process, fake STS)", () => {
    let h: Harness;
    beforeEach(async () => {
        h = await startHarness(["service-a", "service-b"]);
    });
    afterEach(async () => {
        await h.close();
        const output = h.logged.join("\n");
        for (const secret of h.secrets) assert.ok(!output.includes(secret), "a secret in the log");
    });

    it("answers a token with its own service's credentials, in the container format", async () => {
        const answer = await request(h.agent, "/v1/credentials", {
            authorization: h.tokens["service-a"],
        });
        assert.strictEqual(answer.status, 200);
        assert.strictEqual(answer.headers["content-type"], "application/json");
        const body = JSON.parse(answer.body);
        assert.deepStrictEqual(Object.keys(body), [
            "AccessKeyId",
            "SecretAccessKey",
            "Token",
            "Expiration",
        ]);
        assert.match(body.AccessKeyId, /^ASIASERVICEA/);
        assert.match(body.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
        assert.deepStrictEqual(
            h.stsCalls.map((r) => r.roleArn),
            [roleArn("service-a")],
        );
        const b = JSON.parse(
            (await request(h.agent, "/v1/credentials", { authorization: h.tokens["service-b"] }))
                .body,
        );
        assert.match(b.AccessKeyId, /^ASIASERVICEB/);
    });

    it("refuses no token (401) and an unknown token (403) with JSON naming no token", async () => {
        const none = await request(h.agent, "/v1/credentials");
        assert.strictEqual(none.status, 401);
        assert.deepStrictEqual(Object.keys(JSON.parse(none.body)), ["code", "message"]);
        const guess = `${h.tokens["service-a"]}x`;
        const wrong = await request(h.agent, "/v1/credentials", { authorization: guess });
        assert.strictEqual(wrong.status, 403);
        assert.ok(!wrong.body.includes(guess));
        assert.strictEqual(h.stsCalls.length, 0);
    });

    it("refuses other paths, methods, query strings, bodies, two tokens; goes on serving", async () => {
        const a = h.tokens["service-a"];
        const b = h.tokens["service-b"];
        const cases: [string, Record<string, string | string[]>, string, number][] = [
            ["/v1/credentials?role=service-b", { authorization: a }, "GET", 400],
            ["/v1/credentials/", { authorization: a }, "GET", 404],
            ["/v1/credentials/service-b", { authorization: a }, "GET", 404],
            ["/", {}, "GET", 404],
            ["/v1/credentials", { authorization: a }, "POST", 405],
            ["/v1/credentials", { authorization: a }, "PUT", 405],
            ["/v1/credentials", { authorization: [a, b] }, "GET", 400],
            ["/v1/credentials", { authorization: a, "content-length": "3" }, "GET", 400],
        ];
        for (const [urlPath, headers, method, status] of cases) {
            const answer = await request(h.agent, urlPath, headers, method);
            assert.strictEqual(
                answer.status,
                status,
                `${method} ${urlPath} ${JSON.stringify(Object.keys(headers))}`,
            );
            for (const t of [a, b]) assert.ok(!answer.body.includes(t));
        }
        assert.match(await raw(h.agent, "GARBAGE\r\n\r\n"), /^HTTP\/1.1 400/);
        const huge = `GET /v1/credentials HTTP/1.1\r\nhost: x\r\nx-big: ${"x".repeat(20000)}\r\n\r\n`;
        assert.match(await raw(h.agent, huge), /^HTTP\/1.1 431/);
        const doubled = `GET /v1/credentials HTTP/1.1\r\nhost: x\r\nauthorization: ${a}\r\nauthorization: ${b}\r\nconnection: close\r\n\r\n`;
        assert.match(await raw(h.agent, doubled), /^HTTP\/1.1 400/);
        assert.strictEqual(h.stsCalls.length, 0);
        const ok = await request(h.agent, "/v1/credentials", { authorization: a });
        assert.strictEqual(ok.status, 200);
    });

    it("reloads a file replaced by rename: a removed service's token is refused from then on", async () => {
        const a = h.tokens["service-a"];
        assert.strictEqual(
            (await request(h.agent, "/v1/credentials", { authorization: a })).status,
            200,
        );
        h.writeServices(["service-b", "service-c"]);
        await eventually(async () => {
            return (await request(h.agent, "/v1/credentials", { authorization: a })).status === 403;
        });
        const c = await request(h.agent, "/v1/credentials", {
            authorization: h.tokens["service-c"],
        });
        assert.strictEqual(c.status, 200);
        assert.match(h.logged.join("\n"), /reloaded: services service-b, service-c/);
    });

    it("serves no service while a new file is bad (503 JSON), says why in one line, and recovers on a good one", async () => {
        const fs = await import("fs");
        const a = h.tokens["service-a"];
        assert.strictEqual(
            (await request(h.agent, "/v1/credentials", { authorization: a })).status,
            200,
        );
        fs.writeFileSync(
            `${h.servicesFile}.tmp`,
            JSON.stringify({ region: "us-east-1", services: [{ name: "x" }] }),
        );
        fs.renameSync(`${h.servicesFile}.tmp`, h.servicesFile);
        await eventually(() => h.logged.some((l) => l.includes("refused")));
        const refusal = h.logged.filter((l) => l.includes("refused"));
        assert.strictEqual(refusal.length, 1);
        assert.match(refusal[0], /services\[0\]\.roleArn: missing/);
        // The bad file may have been a removal or a rotation: the tokens loaded before it are
        // not trusted, cached credentials or not.
        for (const token of [a, h.tokens["service-b"]]) {
            const answer = await request(h.agent, "/v1/credentials", { authorization: token });
            assert.strictEqual(answer.status, 503);
            assert.strictEqual(JSON.parse(answer.body).code, "ServicesFileRefused");
            assert.ok(!answer.body.includes(token));
        }
        h.writeServices(["service-a"]);
        await eventually(async () => {
            return (await request(h.agent, "/v1/credentials", { authorization: a })).status === 200;
        });
        assert.strictEqual(
            (await request(h.agent, "/v1/credentials", { authorization: h.tokens["service-b"] }))
                .status,
            403,
        );
    });

    it("answers 502 JSON while STS fails for an uncached service, and recovers", async () => {
        h.sts.failing = true;
        const down = await request(h.agent, "/v1/credentials", {
            authorization: h.tokens["service-a"],
        });
        assert.strictEqual(down.status, 502);
        assert.strictEqual(JSON.parse(down.body).code, "CredentialsUnavailable");
        h.sts.failing = false;
        const up = await request(h.agent, "/v1/credentials", {
            authorization: h.tokens["service-a"],
        });
        assert.strictEqual(up.status, 200);
    });
});
