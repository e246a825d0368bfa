// The proof's credential agent route against a fake agent on 127.0.0.1 and the stubbed account:
// the agent's credentials alone reach the service's bucket and no other, a token yields no other
// service's role, no token yields nothing, IMDS refuses this UID, and the IMDS lock is reported
// honestly when the host role is out of reach.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";

import { describeFailure, formatChecklist, type ProofReport } from "../../../contract/report";
import type { VerifyTarget } from "../../../contract/plan";
import { fakeAccount, FakeAccount, roleA, roleB, targetA, targetB } from "../../support/fakeAws";
import { closedPort, FakeAgent, startFakeAgent } from "../../support/fakeAgent";
import { proveStubbed } from "../../support/stubbedProof";
import { agentSteps } from "../../support/proofSteps";

const agentA: VerifyTarget = { ...targetA, agent: true };
const agentB: VerifyTarget = { ...targetB, agent: true };

const names = (report: ProofReport, i: number) => report.services[i].steps.map((s) => s.name);
const step = (report: ProofReport, i: number, name: string) =>
    report.services[i].steps.find((s) => s.name === name)!;

describe("the proof's credential agent route (fake agent, stubbed AWS)", function () {
    this.timeout(20_000);
    let aws: FakeAccount;
    let agent: FakeAgent;
    let imds: string;

    beforeEach(async () => {
        aws = fakeAccount();
        aws.buckets.set("bucket-a", new Map());
        aws.buckets.set("bucket-b", new Map());
        aws.grants.set(roleA, "bucket-a");
        aws.grants.set(roleB, "bucket-b");
        agent = await startFakeAgent(aws, [agentA, agentB]);
        imds = `http://127.0.0.1:${await closedPort()}`;
    });
    afterEach(async () => {
        aws.restore();
        await agent.close();
    });

    const prove = (targets = [agentA, agentB], hooks = {}) =>
        proveStubbed(
            targets,
            { agentUrl: agent.url, agentTokenDir: agent.tokenDir, imdsEndpoint: imds },
            hooks,
        );

    it("proves each service's agent route, its token's limits and the IMDS lock", async () => {
        const report = await prove();
        assert.strictEqual(report.ok, true, describeFailure(report));
        assert.deepStrictEqual(
            report.steps.map((s) => [s.name, s.ok]),
            [
                ["base-identity", true],
                ["imds-refused", true],
            ],
        );
        assert.match(report.steps[1].observed, /refused UID \d+'s token request \(ECONNREFUSED/);
        assert.deepStrictEqual(report.imds, { endpoint: imds, refused: true });
        for (const i of [0, 1]) {
            assert.deepStrictEqual(names(report, i).slice(-6), agentSteps);
            assert.deepStrictEqual(report.services[i].agent, {
                url: agent.url,
                routeProven: true,
                crossTokenRefused: true,
                noTokenRefused: true,
            });
        }
        assert.strictEqual(
            report.services[0].identities.agent,
            "arn:aws:sts::123456789012:assumed-role/service-a/agent-service-a",
        );
        assert.strictEqual(
            step(report, 0, "agent-round-trip").observed,
            "put, get and delete through the agent",
        );
        assert.strictEqual(
            step(report, 0, "agent-isolation").observed,
            "AccessDenied on 1 other bucket(s)",
        );
        assert.match(
            step(report, 0, "agent-cross-token").observed,
            /^4 requests naming 1 other service\(s\): 3 refused, 1 answered with service-a's own role/,
        );
        assert.strictEqual(
            step(report, 1, "agent-no-token").observed,
            "no token: HTTP 401 NoToken; a wrong token: HTTP 403 UnknownToken",
        );
        // The agent's credentials alone did the S3 work of the agent route.
        const agentCalls = aws.s3Calls.filter(
            (c) => c.caller.kind === "session" && c.caller.sessionName === "agent-service-a",
        );
        assert.deepStrictEqual(
            [...new Set(agentCalls.map((c) => `${c.command} ${c.input.Bucket}`))].sort(),
            [
                "DeleteObject bucket-a",
                "GetObject bucket-a",
                "ListObjectsV2 bucket-b",
                "PutObject bucket-a",
            ],
        );
        // Every cross request carried A's token and named B.
        const cross = agent.asks.filter(
            (a) => a.service === "service-a" && a.url !== "/v1/credentials",
        );
        assert.deepStrictEqual(cross.map((a) => a.url).sort(), [
            `/v1/credentials/service-b`,
            `/v1/credentials?role=${encodeURIComponent(roleB)}`,
            `/v1/credentials?service=service-b`,
        ]);
        const text = formatChecklist(report);
        assert.match(text, /IMDS lock: http:\/\/127\.0\.0\.1:\d+ refuses this UID ✓/);
        assert.match(
            text,
            /agent http:\/\/127\.0\.0\.1:\d+\/v1\/credentials: own role and bucket only ✓, other services' roles refused ✓, no token refused ✓/,
        );
        assert.match(
            text,
            /PROOF HOLDS: .*Through the credential agent each service's token yields its own role only/,
        );
        const json = JSON.stringify(report);
        for (const secret of [
            ...Object.values(agent.tokens),
            "agent-secret",
            "agent-session-token",
        ]) {
            assert.ok(
                !json.includes(secret) && !text.includes(secret),
                "the report holds a secret",
            );
        }
    });

    it("accepts a request naming another service answered with the service's own role", async () => {
        agent.misbehave = (ask) =>
            ask.service !== undefined && ask.url !== "/v1/credentials"
                ? { status: 200, service: ask.service }
                : undefined;
        const report = await prove();
        assert.strictEqual(report.ok, true, describeFailure(report));
        assert.match(
            step(report, 0, "agent-cross-token").observed,
            /: 0 refused, 4 answered with service-a's own role/,
        );
    });

    it("fails, naming both services, when A's token with B's name gets B's role", async () => {
        agent.misbehave = (ask) =>
            ask.service === "service-a" && ask.url.endsWith("/service-b")
                ? { status: 200, service: "service-b" }
                : undefined;
        const report = await prove();
        assert.strictEqual(report.ok, false);
        const cross = step(report, 0, "agent-cross-token");
        assert.strictEqual(cross.ok, false);
        assert.strictEqual(
            cross.observed,
            "service-a's token with /service-b (naming service-b) got credentials of arn:aws:sts::123456789012:assumed-role/service-b/agent-service-b",
        );
        assert.strictEqual(report.services[0].agent?.crossTokenRefused, false);
        assert.strictEqual(report.services[0].agent?.routeProven, true);
        assert.strictEqual(report.services[1].ok, true);
        assert.match(
            describeFailure(report),
            /^service "service-a" .*agent-cross-token.*service-b/,
        );
        assert.match(formatChecklist(report), /other services' roles refused ✗/);
    });

    it("fails when the agent answers A's own token with B's credentials", async () => {
        agent.misbehave = (ask) =>
            ask.service === "service-a" ? { status: 200, service: "service-b" } : undefined;
        const report = await prove();
        assert.strictEqual(report.ok, false);
        const identity = step(report, 0, "agent-identity");
        assert.strictEqual(identity.ok, false);
        assert.match(
            identity.diagnosis!,
            /service service-a's token with credentials of another role/,
        );
        // B's credentials on bucket-a are denied: the agent route does not reach A's bucket.
        assert.strictEqual(step(report, 0, "agent-round-trip").ok, false);
        assert.strictEqual(report.services[0].agent?.routeProven, false);
    });

    it("fails when a request without a token, or with a wrong one, gets credentials", async () => {
        agent.misbehave = (ask) =>
            ask.service === undefined ? { status: 200, service: "service-b" } : undefined;
        const report = await prove();
        const noToken = step(report, 0, "agent-no-token");
        assert.strictEqual(noToken.ok, false);
        assert.strictEqual(
            noToken.observed,
            "no token: HTTP 200 with credentials; a wrong token: HTTP 200 with credentials",
        );
        assert.strictEqual(report.services[0].agent?.noTokenRefused, false);
        assert.strictEqual(report.ok, false);
    });

    it("fails when the agent refuses the service's token, or its token file cannot be read", async () => {
        agent.misbehave = (ask) => (ask.service === "service-a" ? { status: 403 } : undefined);
        const refused = await prove();
        const got = step(refused, 0, "agent-credentials");
        assert.strictEqual(got.ok, false);
        assert.match(got.observed, /^HTTP 403 Forced from http:\/\/127\.0\.0\.1/);
        assert.deepStrictEqual(names(refused, 0).slice(-2), [
            "agent-credentials",
            "agent-no-token",
        ]);
        agent.misbehave = undefined;
        fs.rmSync(path.join(agent.tokenDir, "service-b"));
        const missing = await prove();
        const file = step(missing, 1, "agent-credentials");
        assert.strictEqual(file.ok, false);
        assert.match(file.diagnosis!, /cannot read its token file \(ENOENT\).*rolepair-service-b/);
        assert.strictEqual(missing.unreachable, undefined);
    });

    it("fails when the agent hands out credentials that have already expired", async () => {
        agent.lifetimeMs = -60_000;
        const report = await prove([agentA]);
        assert.strictEqual(report.ok, false);
        const got = step(report, 0, "agent-credentials");
        assert.strictEqual(got.ok, false);
        assert.match(got.observed, /^credentials \S+ expired at \d{4}-\d\d-\d\dT/);
        assert.strictEqual(
            got.diagnosis,
            "the credential agent served service service-a expired credentials.",
        );
        assert.ok(!names(report, 0).includes("agent-identity"), names(report, 0).join(", "));
    });

    it("reads a token file by the target's profile name when it has one", async () => {
        await agent.close();
        const withProfile = { ...agentA, profile: "profile-a" };
        agent = await startFakeAgent(aws, [withProfile]);
        const report = await proveStubbed(
            [withProfile],
            { agentUrl: agent.url, agentTokenDir: agent.tokenDir, imdsEndpoint: imds },
            {},
        ).catch((e: Error) => e);
        // The profile route runs too and has no AWS config here: only the agent steps matter.
        assert.ok(!(report instanceof Error));
        assert.strictEqual(step(report, 0, "agent-credentials").ok, true);
    });

    it("fails when IMDS answers this UID, and counts a silent IMDS as dropped", async () => {
        const server = http.createServer((_req, res) => res.writeHead(200).end("token"));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        imds = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        try {
            const report = await prove();
            const lock = report.steps.find((s) => s.name === "imds-refused")!;
            assert.strictEqual(lock.ok, false);
            assert.match(lock.observed, /answered UID \d+'s token request with HTTP 200/);
            assert.match(lock.diagnosis!, /IMDS lock is not loaded/);
            assert.strictEqual(report.ok, false);
            assert.deepStrictEqual(report.imds, { endpoint: imds, refused: false });
            assert.match(describeFailure(report), /^host: step "imds-refused" failed/);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        const silent = net.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        imds = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
        try {
            const report = await prove([agentA], { imdsTimeoutMs: 200 });
            const lock = report.steps.find((s) => s.name === "imds-refused")!;
            assert.strictEqual(lock.ok, true);
            assert.match(lock.observed, /no answer from .* in 200 ms \(dropped\)/);
        } finally {
            silent.close();
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
    });

    it("runs no IMDS check and no agent step for a plan without the agent", async () => {
        const report = await prove([targetA, targetB]);
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual(
            report.steps.map((s) => s.name),
            ["base-identity"],
        );
        assert.strictEqual(report.imds, undefined);
        assert.strictEqual(report.services[0].agent, undefined);
        assert.ok(names(report, 0).every((n) => !n.startsWith("agent-")));
        assert.strictEqual(agent.asks.length, 0);
    });

    describe("with the IMDS lock on (no host credentials for this UID)", () => {
        const lockedOut = {
            baseCredentials: async () => {
                throw Object.assign(new Error("Could not load credentials from any providers"), {
                    name: "CredentialsProviderError",
                });
            },
        };

        it("reports the host role out of reach, and proves the agent route alone", async () => {
            const report = await prove([agentA, agentB], lockedOut);
            assert.strictEqual(report.ok, true, describeFailure(report));
            const base = report.steps[0];
            assert.deepStrictEqual(
                [base.name, base.ok, base.skipped],
                ["base-identity", true, true],
            );
            assert.match(base.observed, /IMDS refuses it \(imds-refused\), which is stronger than/);
            assert.deepStrictEqual(names(report, 0), ["base-denied", ...agentSteps]);
            assert.strictEqual(report.services[0].steps[0].skipped, true);
            assert.deepStrictEqual(report.isolation, []);
            const text = formatChecklist(report);
            assert.match(
                text,
                /PROOF HOLDS: the host role is out of this UID's reach \(IMDS refuses it\)/,
            );
            assert.match(text, /^service-a\s+own ✓\s+denied ✓$/m);
            assert.match(text, /^service-b\s+denied ✓\s+own ✓$/m);
        });

        it("fails a service without the agent, saying why", async () => {
            const report = await prove([agentA, targetB], lockedOut);
            assert.strictEqual(report.ok, false);
            assert.strictEqual(report.services[0].ok, true);
            const assume = step(report, 1, "assume-role");
            assert.strictEqual(assume.ok, false);
            assert.match(
                assume.diagnosis!,
                /service service-b is not served by the credential agent/,
            );
        });

        it("stops at base-identity when IMDS answers and no credentials come", async () => {
            const server = http.createServer((_req, res) => res.writeHead(200).end("token"));
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            imds = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
            try {
                const report = await prove([agentA], lockedOut);
                assert.strictEqual(report.ok, false);
                assert.strictEqual(report.steps[0].ok, false);
                assert.deepStrictEqual(report.services[0].steps, []);
            } finally {
                await new Promise((resolve) => server.close(resolve));
            }
        });
    });
});
