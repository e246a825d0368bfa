// verify with the credential agent on, against moto (IAM enforcement on): the real agent bundle
// on 127.0.0.1 gets the host role from an IMDSv2 double and assumes each service's role; verify
// runs as a UID the IMDS lock refuses (its metadata endpoint a closed port), so the host role is
// out of its reach and each service is proven through the agent alone.
import * as assert from "assert";
import * as http from "http";
import * as net from "net";

import type { VerifyTarget } from "../../contract/plan";
import type { ProofReport } from "../../contract/report";
import { EmulatedHosts } from "../../lab/emulatedHosts";
import { createMatrixScenario, type MatrixScenario } from "../../lab/matrixScenario";
import { region } from "../../lab/moto";
import { freePort } from "../../lab/ports";
import { assertNoSecretIn, capturedOutputs, hostEnv, runVerify } from "../../lab/verifyProcess";
import { startAgentProcess, type AgentProcess, type AgentService } from "../support/agentProcess";
import { agentSteps } from "../support/proofSteps";

const agentRouteSteps = ["base-denied", ...agentSteps];

describe("verify proves the credential agent route against the AWS emulator", function () {
    this.timeout(120_000);
    const hosts = EmulatedHosts.forSuite();
    let scenario: MatrixScenario;
    let plan: VerifyTarget[];
    const agents: AgentProcess[] = [];

    before(async () => {
        scenario = hosts.remember(await createMatrixScenario(hosts.moto, "correct"));
        plan = scenario.services.slice(0, 2).map((s) => ({
            name: s.name,
            roleArn: s.roleArn,
            bucket: s.bucket,
            agent: true,
        }));
    });
    afterEach(async () => {
        await Promise.all(agents.splice(0).map((a) => a.stop()));
    });

    /** The real agent, its host credentials from the host's IMDSv2 double, AWS at moto. */
    async function agentFor(services: AgentService[]): Promise<AgentProcess> {
        const imds = await hosts.imdsDoubles.start(scenario);
        const env = hostEnv({
            imdsEndpoint: imds.endpoint,
            awsEndpoint: hosts.moto.endpoint,
            region,
        });
        const agent = await startAgentProcess(services, env, region);
        agents.push(agent);
        return agent;
    }

    /** verify as a UID the lock refuses: its IMDS endpoint a closed port, nothing else. */
    async function verify(url: string, tokenDir: string): Promise<ProofReport> {
        const env = hostEnv({
            imdsEndpoint: `http://127.0.0.1:${await freePort()}`,
            awsEndpoint: hosts.moto.endpoint,
            region,
        });
        const args = ["--targets", "-", "--agent-url", url, "--agent-token-dir", tokenDir];
        const r = await runVerify(
            [...args, "--propagation-timeout", "1", "--json"],
            env,
            JSON.stringify(plan),
        );
        assert.ok(r.stdout, `verify printed no report (exit ${r.code}): ${r.stderr}`);
        const report = JSON.parse(r.stdout) as ProofReport;
        assert.strictEqual(r.code, report.ok ? 0 : 1, r.stderr);
        return report;
    }

    it("proves each service through the agent, and the host role out of this UID's reach", async () => {
        const agent = await agentFor(scenario.services.slice(0, 2));
        const report = await verify(agent.url, agent.tokenDir);
        assert.strictEqual(report.ok, true, JSON.stringify(report, null, 2));
        assert.deepStrictEqual(
            report.steps.map((s) => [s.name, s.ok, s.skipped === true]),
            [
                ["base-identity", true, true],
                ["imds-refused", true, false],
            ],
        );
        assert.strictEqual(report.imds?.refused, true);
        for (const [i, service] of report.services.entries()) {
            assert.deepStrictEqual(
                service.steps.map((s) => [s.name, s.ok]),
                agentRouteSteps.map((n) => [n, true]),
            );
            assert.deepStrictEqual(service.agent, {
                url: agent.url,
                routeProven: true,
                crossTokenRefused: true,
                noTokenRefused: true,
            });
            const roleName = scenario.services[i].roleName;
            assert.match(
                service.identities.agent!,
                new RegExp(`^arn:aws:sts::123456789012:assumed-role/${roleName}/`),
            );
        }
        assert.match(
            report.services[0].steps[5].observed,
            /^4 requests naming 1 other service\(s\): 3 refused, 1 answered with service-a.s own role/,
        );
        // Neither verify nor the agent printed a token, a secret key or a session token.
        assertNoSecretIn(
            [...capturedOutputs, agent.stderr()],
            [...scenario.secrets, ...Object.values(agent.tokens)],
            2,
        );
    });

    it("fails, naming the service, when the agent answers A's token with B's role", async () => {
        const [a, b] = scenario.services;
        const agent = await agentFor([
            { name: a.name, roleArn: b.roleArn },
            { name: b.name, roleArn: b.roleArn },
        ]);
        const report = await verify(agent.url, agent.tokenDir);
        assert.strictEqual(report.ok, false);
        const identity = report.services[0].steps.find((s) => s.name === "agent-identity")!;
        assert.strictEqual(identity.ok, false);
        assert.match(identity.observed, new RegExp(`assumed-role/${b.roleName}/`));
        assert.match(
            identity.diagnosis!,
            /service service-a's token with credentials of another role/,
        );
        assert.strictEqual(report.services[0].agent?.routeProven, false);
        assert.strictEqual(report.services[1].ok, true);
    });

    it("fails, naming both services, when a request naming B with A's token gets B's role", async () => {
        const agent = await agentFor(scenario.services.slice(0, 2));
        // A broken front: a path naming a service swaps in that service's token.
        const front = http.createServer((req, res) => {
            const named = /^\/v1\/credentials\/([a-z0-9-]+)$/.exec(req.url ?? "")?.[1];
            const target = new URL(agent.url);
            const headers = { ...req.headers };
            if (named !== undefined && agent.tokens[named])
                headers.authorization = agent.tokens[named];
            const forward = http.request(
                {
                    host: target.hostname,
                    port: target.port,
                    path: named ? target.pathname : req.url,
                    headers,
                },
                (answer) => {
                    res.writeHead(answer.statusCode ?? 502, answer.headers);
                    answer.pipe(res);
                },
            );
            forward.on("error", () => res.writeHead(502).end());
            forward.end();
        });
        await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
        try {
            const port = (front.address() as net.AddressInfo).port;
            const report = await verify(`http://127.0.0.1:${port}/v1/credentials`, agent.tokenDir);
            assert.strictEqual(report.ok, false);
            const cross = report.services[0].steps.find((s) => s.name === "agent-cross-token")!;
            assert.strictEqual(cross.ok, false);
            assert.match(
                cross.observed,
                new RegExp(
                    `^service-a's token with /service-b \\(naming service-b\\) got credentials of arn:aws:sts::123456789012:assumed-role/${scenario.services[1].roleName}/`,
                ),
            );
            assert.strictEqual(report.services[0].agent?.routeProven, true);
            assert.strictEqual(report.services[0].agent?.crossTokenRefused, false);
        } finally {
            await new Promise((resolve) => front.close(resolve));
        }
    });
});
