// The credential agent as it runs on a host: the real bundle as rolepair-agent on 169.254.170.23:80
// in a network namespace, the package's IMDS lock loaded with nft, moto (IAM enforcement on) and
// the IMDSv2 double inside, a veth "container" namespace routed through it, and real SDKs (boto3,
// the AWS CLI, aws-sdk-js-v3, aws-sdk-go-v2) with no credential code reaching it.
import * as assert from "assert";
import { ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../../lab/cleanup";
import type { NsLab } from "./nsLab";
import {
    agentUser,
    ensureAgentUser,
    LineChild,
    makeNamespaces,
    Namespaces,
    nsLabCommand,
    Probe,
    root,
    runIn,
    sh,
} from "./netnsFixture";
import { lockRations } from "../support/lockRations";

const agentAddress = "169.254.170.23";
const imdsAddress = "169.254.169.254";
const fullUri = `http://${agentAddress}/v1/credentials`;
const uidA = 64101;
const uidB = 64102;
const uidOther = 64109;
const lockFile = path.join(root, "dist/imds-lock.nft");
const venv = path.join(root, ".venv/bin");
const goClient = path.join(root, ".tools/agent-goclient");
const holdCommand = [
    process.execPath,
    "-r",
    "ts-node/register/transpile-only",
    path.join(root, "test/agent/connectionHold.ts"),
];

const pythonClient = `
import json, sys, boto3, botocore.config
arn = boto3.client("sts").get_caller_identity()["Arn"]
s3 = boto3.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=sys.argv[1]).get("Contents", [])]
print(json.dumps({"arn": arn, "keys": keys}))
`;
const jsClient = `
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const { S3Client, ListObjectsV2Command } = require("@aws-sdk/client-s3");
(async () => {
    const arn = (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
    const list = await new S3Client({ forcePathStyle: true }).send(
        new ListObjectsV2Command({ Bucket: process.argv[1] }));
    console.log(JSON.stringify({ arn, keys: (list.Contents || []).map((o) => o.Key) }));
})().catch((e) => { console.error(e.name + ": " + e.message); process.exit(1); });
`;

const imdsTokenRequest = [
    ["X-aws-ec2-metadata-token-ttl-seconds", "60"],
    ["Content-Length", "0"],
] as [string, string][];

describe("credential agent in network namespaces (nft lock, real SDKs)", function () {
    this.timeout(180_000);
    let ns: Namespaces;
    let dir: string;
    let lab: LineChild;
    let info: NsLab;
    let agent: ChildProcess;
    let agentOutput = "";
    const tokens: Record<string, string> = {};
    const secrets: string[] = [];
    const probes: Record<"root" | "unprivileged" | "agentUser" | "container", Probe> = {} as never;
    const beforeLock: Record<string, number> = {};
    const keyIds: Record<string, string> = {};
    let servicesFile: string;

    const tokenFile = (name: string) => path.join(dir, `${name}.token`);
    const writeToken = (name: string, uid: number) => {
        tokens[name] = randomBytes(32).toString("base64url");
        secrets.push(tokens[name]);
        fs.writeFileSync(tokenFile(name), tokens[name], { mode: 0o640 });
        fs.chownSync(tokenFile(name), uid, Number(sh("id", "-g", agentUser).trim()));
    };
    const writeServices = (names: string[]) => {
        const services = names.map((name) => {
            const s = info.services.find((x) => x.name === name)!;
            return {
                name,
                roleArn: s.roleArn,
                externalId: `ext-${name}`,
                tokenFile: tokenFile(name),
            };
        });
        fs.writeFileSync(`${servicesFile}.tmp`, JSON.stringify({ region: "us-east-1", services }));
        fs.chmodSync(`${servicesFile}.tmp`, 0o644);
        fs.renameSync(`${servicesFile}.tmp`, servicesFile);
    };
    /** GET /v1/credentials at the agent from the container, with these header lines. */
    const ask = async (headers: [string, string][], urlPath = "/v1/credentials") => {
        const answer = await probes.container.http(agentAddress, 80, "GET", urlPath, headers);
        if (answer.status === 200) {
            const body = JSON.parse(answer.body);
            secrets.push(body.SecretAccessKey, body.Token);
        }
        return answer;
    };
    const keyIdWith = async (name: string) => {
        const answer = await ask([["Authorization", tokens[name]]]);
        assert.strictEqual(answer.status, 200, answer.body);
        return JSON.parse(answer.body).AccessKeyId as string;
    };
    const imdsStatus = async (probe: Probe) =>
        (await probe.http(imdsAddress, 80, "PUT", "/latest/api/token", imdsTokenRequest, 1500))
            .status;

    before(async () => {
        ensureAgentUser();
        ns = makeNamespaces();
        dir = makeTempDir("rolepair-agentns-");
        fs.chmodSync(dir, 0o755);
        servicesFile = path.join(dir, "services.json");
        // TMPDIR: moto's directory inside the suite's, removed with it even if nsLab is killed.
        lab = LineChild.start(
            ns.host,
            undefined,
            [
                ...nsLabCommand,
                "--expose",
                ns.gateway,
                "service-a",
                "service-b",
                "service-c",
                "service-d",
            ],
            { TMPDIR: dir },
        );
        const [labLine] = await Promise.all([
            lab.line((l) => l.startsWith("{")),
            (async () => {
                probes.root = await Probe.start(ns.host);
                probes.unprivileged = await Probe.start(ns.host, uidOther);
                probes.agentUser = await Probe.start(ns.host, agentUser);
                probes.container = await Probe.start(ns.container);
            })(),
        ]);
        info = JSON.parse(labLine) as NsLab;
        secrets.push(...info.secrets);
        writeToken("service-a", uidA);
        writeToken("service-b", uidB);
        writeToken("service-c", uidOther);
        writeToken("service-d", uidOther);
        writeServices(["service-a", "service-b", "service-c"]);
        // Without the lock, IMDS is open to everyone: what the lock changes is measured, not assumed.
        for (const name of ["unprivileged", "container"] as const)
            beforeLock[name] = await imdsStatus(probes[name]);
    });

    after(async () => {
        if (agent !== undefined) await stopGroup(agent);
        await Promise.all(Object.values(probes).map((p) => p.stop()));
        if (lab !== undefined) await lab.stop();
        ns?.remove();
        if (dir !== undefined) removeTempDir(dir);
        const leaked = secrets.filter((s) => s && (agentOutput + lab?.stderr).includes(s));
        assert.strictEqual(
            leaked.length,
            0,
            "a token or secret in the agent's or the lab's output",
        );
    });

    describe("the IMDS lock (dist/imds-lock.nft)", () => {
        it("loads with nft -f, twice, and leaves another table alone", () => {
            const inHost = (...args: string[]) => sh("ip", "netns", "exec", ns.host, ...args);
            inHost("nft", "add", "table", "inet", "rolepair_unrelated");
            inHost("nft", "add", "chain", "inet", "rolepair_unrelated", "keep");
            inHost("nft", "add", "rule", "inet", "rolepair_unrelated", "keep", "counter", "accept");
            inHost("nft", "-f", lockFile);
            inHost("nft", "-f", lockFile);
            const tables = inHost("nft", "list", "tables");
            assert.match(tables, /table inet rolepair_imds/);
            assert.match(tables, /table inet rolepair_unrelated/);
            assert.match(
                inHost("nft", "list", "table", "inet", "rolepair_unrelated"),
                /chain keep/,
            );
            const chains = inHost("nft", "list", "table", "inet", "rolepair_imds").match(/chain /g);
            assert.strictEqual(chains?.length, 4, "one copy of the lock's chains after two loads");
        });

        it("drops an unprivileged UID's and the container's requests to IMDS; root and rolepair-agent pass", async () => {
            assert.deepStrictEqual(beforeLock, { unprivileged: 200, container: 200 });
            const drops = () => {
                const text = sh(
                    "ip",
                    "netns",
                    "exec",
                    ns.host,
                    "nft",
                    "list",
                    "table",
                    "inet",
                    "rolepair_imds",
                );
                const count = (chain: string) => {
                    const section = text.split("chain ").find((c) => c.startsWith(`${chain} `));
                    const match = /ip daddr 169\.254\.169\.254 counter packets (\d+)/.exec(
                        section ?? "",
                    );
                    return Number(match?.[1]);
                };
                return { output: count("output"), prerouting: count("prerouting") };
            };
            const before = drops();
            assert.strictEqual(await imdsStatus(probes.unprivileged), 0);
            assert.strictEqual(await imdsStatus(probes.container), 0);
            // Dropped by the lock's own rules: the UID rule on output, the interface rule on the
            // way in from the veth (IMDS is local to this namespace, so nothing is forwarded).
            const after = drops();
            assert.ok(after.output > before.output, JSON.stringify({ before, after }));
            assert.ok(after.prerouting > before.prerouting, JSON.stringify({ before, after }));
            assert.strictEqual(await imdsStatus(probes.root), 200);
            assert.strictEqual(await imdsStatus(probes.agentUser), 200);
        });

        it("starts the agent as rolepair-agent (net_bind_service only), which gets the host role from IMDS", async () => {
            agent = spawnGroup(
                "ip",
                [
                    "netns",
                    "exec",
                    ns.host,
                    "setpriv",
                    `--reuid=${agentUser}`,
                    `--regid=${agentUser}`,
                    "--clear-groups",
                    "--inh-caps=-all,+net_bind_service",
                    "--ambient-caps=-all,+net_bind_service",
                    "--",
                    process.execPath,
                    path.join(root, "dist/credential-agent.js"),
                    "--services",
                    servicesFile,
                ],
                {
                    cwd: "/",
                    env: {
                        PATH: process.env.PATH,
                        HOME: "/nonexistent",
                        AWS_ENDPOINT_URL: info.stsEndpoint,
                    },
                    stdio: ["ignore", "pipe", "pipe"],
                },
            );
            agent.stdout!.on("data", (c) => (agentOutput += c));
            agent.stderr!.on("data", (c) => (agentOutput += c));
            const end = Date.now() + 30_000;
            while (!agentOutput.includes("listening on")) {
                if (agent.exitCode !== null || Date.now() > end)
                    assert.fail(`the agent did not start: ${agentOutput}`);
                await new Promise((r) => setTimeout(r, 100));
            }
            keyIds["service-a"] = await keyIdWith("service-a");
            keyIds["service-b"] = await keyIdWith("service-b");
            assert.notStrictEqual(keyIds["service-a"], keyIds["service-b"]);
        });
    });

    describe("SDKs with no credential code", () => {
        const where = [
            {
                place: "a host UID",
                service: "service-a",
                uid: uidA as number | undefined,
                ct: false,
            },
            { place: "the container", service: "service-b", uid: undefined, ct: true },
        ];
        const clients: { sdk: string; run: (bucket: string) => string[][] }[] = [
            { sdk: "boto3", run: (b) => [[`${venv}/python`, "-c", pythonClient, b]] },
            {
                sdk: "the AWS CLI",
                run: (b) => [
                    [`${venv}/aws`, "sts", "get-caller-identity", "--output", "json"],
                    [`${venv}/aws`, "s3api", "list-objects-v2", "--bucket", b, "--output", "json"],
                ],
            },
            { sdk: "aws-sdk-js-v3", run: (b) => [[process.execPath, "-e", jsClient, b]] },
            { sdk: "aws-sdk-go-v2", run: (b) => [[goClient, b]] },
        ];
        for (const w of where) {
            for (const client of clients) {
                it(`${client.sdk} from ${w.place} gets ${w.service}'s role and bucket`, async () => {
                    const s = info.services.find((x) => x.name === w.service)!;
                    const env = {
                        HOME: "/nonexistent",
                        AWS_CONTAINER_CREDENTIALS_FULL_URI: fullUri,
                        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile(w.service),
                        AWS_ENDPOINT_URL: w.ct ? info.exposedEndpoint : info.motoEndpoint,
                        AWS_REGION: "us-east-1",
                        AWS_DEFAULT_REGION: "us-east-1",
                    };
                    const outputs = [];
                    for (const command of client.run(s.bucket)) {
                        const r = await runIn(w.ct ? ns.container : ns.host, w.uid, command, env);
                        assert.strictEqual(r.code, 0, `${command[0]}: ${r.stderr}`);
                        outputs.push(JSON.parse(r.stdout));
                    }
                    const arn = outputs[0].arn ?? outputs[0].Arn;
                    const keys =
                        outputs[0].keys ?? outputs[1].Contents.map((o: { Key: string }) => o.Key);
                    assert.match(arn, new RegExp(`:assumed-role/agent-${w.service}/`));
                    assert.deepStrictEqual(keys, [`hello-${w.service}`]);
                });
            }
        }
    });

    describe("credential_process for AWS_PROFILE users", () => {
        it("the AWS CLI and boto3 get the user's own service through --print-credentials", async () => {
            const config = path.join(dir, "config");
            const command = `${process.execPath} ${path.join(root, "dist/credential-agent.js")}`;
            fs.writeFileSync(
                config,
                ["service-a", "service-b"]
                    .map(
                        (name) =>
                            `[profile ${name}]\nregion = us-east-1\ncredential_process = ${command} --print-credentials --token-file ${tokenFile(name)}\n`,
                    )
                    .join("\n"),
                { mode: 0o644 },
            );
            const env = (profile: string) => ({
                HOME: "/nonexistent",
                AWS_CONFIG_FILE: config,
                AWS_PROFILE: profile,
                AWS_ENDPOINT_URL: info.motoEndpoint,
            });
            const cli = [`${venv}/aws`, "sts", "get-caller-identity", "--output", "json"];
            const boto = [`${venv}/python`, "-c", pythonClient, "rolepair-agent-service-a"];
            for (const command of [cli, boto]) {
                const r = await runIn(ns.host, uidA, command, env("service-a"));
                assert.strictEqual(r.code, 0, r.stderr);
                const out = JSON.parse(r.stdout);
                assert.match(out.Arn ?? out.arn, /:assumed-role\/agent-service-a\//);
            }
            // service-b's user cannot read service-a's token, so its profile gets nothing.
            const denied = await runIn(ns.host, uidB, cli, env("service-a"));
            assert.notStrictEqual(denied.code, 0);
            assert.match(denied.stderr, /cannot be read \(EACCES\)/);
        });
    });

    describe("a token yields its own service only", () => {
        it("no query string, path, header or second token selects another service", async () => {
            const a = tokens["service-a"];
            const b = tokens["service-b"];
            const tries: [string, [string, string][]][] = [
                ["/v1/credentials?service=service-b", [["Authorization", a]]],
                [
                    "/v1/credentials?roleArn=arn:aws:iam::123456789012:role/agent-service-b",
                    [["Authorization", a]],
                ],
                ["/v1/credentials/service-b", [["Authorization", a]]],
                ["/v1/credentials/../service-b", [["Authorization", a]]],
                ["//v1/credentials", [["Authorization", a]]],
                [
                    "/v1/credentials",
                    [
                        ["Authorization", a],
                        ["Authorization", b],
                    ],
                ],
                [
                    "/v1/credentials",
                    [
                        ["Authorization", b],
                        ["Authorization", a],
                    ],
                ],
                ["/v1/credentials", [["Authorization", `${a},${b}`]]],
                ["/v1/credentials", [["Authorization", `Bearer ${b}`]]],
                [
                    "/v1/credentials",
                    [
                        ["Authorization", a],
                        ["X-Service", "service-b"],
                    ],
                ],
                [
                    "/v1/credentials",
                    [
                        ["Authorization", a],
                        ["X-Role-Arn", "agent-service-b"],
                    ],
                ],
                ["/v1/credentials", []],
                ["/v1/credentials", [["Authorization", "x".repeat(43)]]],
            ];
            for (const [urlPath, headers] of tries) {
                const answer = await ask(headers, urlPath);
                const what = `${urlPath} with ${headers.length} header(s)`;
                if (answer.status === 200) {
                    assert.strictEqual(
                        JSON.parse(answer.body).AccessKeyId,
                        keyIds["service-a"],
                        what,
                    );
                    continue;
                }
                assert.ok(answer.status >= 400 && answer.status < 500, `${what}: ${answer.status}`);
                assert.ok(!answer.body.includes(a) && !answer.body.includes(b), what);
                if (urlPath === "/v1/credentials" && headers.length <= 1)
                    assert.ok([401, 403].includes(answer.status), `${what}: ${answer.status}`);
            }
        });
    });

    describe("hostile requests", () => {
        it("other paths and methods, huge headers, malformed HTTP: each 4xx, and the agent goes on", async () => {
            const c = probes.container;
            const auth: [string, string] = ["Authorization", tokens["service-a"]];
            for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
                const r = await c.http(agentAddress, 80, method, "/v1/credentials", [auth]);
                assert.strictEqual(r.status, 405, method);
            }
            for (const p of [
                "/",
                "/latest/meta-data/iam/security-credentials/",
                "/v2/credentials",
            ]) {
                assert.strictEqual(
                    (await c.http(agentAddress, 80, "GET", p, [auth])).status,
                    404,
                    p,
                );
            }
            const huge = await c.http(agentAddress, 80, "GET", "/v1/credentials", [
                auth,
                ["X-Pad", "p".repeat(20_000)],
            ]);
            assert.strictEqual(huge.status, 431);
            for (const bytes of [
                "GARBAGE\r\n\r\n",
                "GET /v1/credentials HTTP/9.9\r\n\r\n",
                "GET /v1/credentials HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                "\u0000\u0001\u0002\r\n\r\n",
            ]) {
                const r = await c.send({ host: agentAddress, port: 80, chunks: [bytes] });
                const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(r.text)?.[1]);
                assert.ok(status >= 400 && status < 500, `${JSON.stringify(bytes)}: ${r.text}`);
            }
            assert.strictEqual(await keyIdWith("service-a"), keyIds["service-a"]);
        });

        it("a slow sender is cut off while others are served", async () => {
            const slow = probes.container.send({
                host: agentAddress,
                port: 80,
                chunks: ["GET /v1/credentials HTTP/1.1\r\n", ...Array(20).fill("X-Slow: 1\r\n")],
                gapMs: 700,
                timeoutMs: 12_000,
            });
            await new Promise((r) => setTimeout(r, 500));
            assert.strictEqual(await keyIdWith("service-a"), keyIds["service-a"]);
            const answer = await slow;
            assert.strictEqual(answer.error, undefined, "the agent closes a slow sender in time");
            assert.match(answer.text, /^HTTP\/1\.1 408 /);
        });
    });

    // The lock's rations, read from the file as it ships: a local UID or a container holding
    // sockets up to its limit is refused beyond it, and another service's user is still served.
    describe("connection limits (the lock's agent_clients sets)", () => {
        const lockRules = fs.readFileSync(lockFile, "utf8");
        const { perUid, perAddress, fromOutside } = lockRations(lockRules);
        const extra = 5;
        const holder = (ns: string, uid: number | undefined, count: number, from: string[] = []) =>
            runIn(
                ns,
                uid,
                [...holdCommand, agentAddress, "80", String(count), "1500", ...from],
                {},
            ).then((r) => {
                assert.strictEqual(r.code, 0, r.stderr);
                return JSON.parse(r.stdout) as {
                    connected: number;
                    refused: number;
                    other: number;
                };
            });
        /** Service A's user asks while the holder holds: it must still get A's credentials. */
        const askedMeanwhile = async (probe: Probe) => {
            await new Promise((r) => setTimeout(r, 700));
            const answer = await probe.http(agentAddress, 80, "GET", "/v1/credentials", [
                ["Authorization", tokens["service-a"]],
            ]);
            if (answer.status === 200)
                secrets.push(...Object.values(JSON.parse(answer.body) as object));
            return answer.status;
        };
        /**
         * Until no earlier connection from outside to the agent is still open in conntrack (ones
         * closing a moment ago count against the rations as the kernel counts them).
         */
        const outsideClosed = async () => {
            const open = () =>
                sh("ip", "netns", "exec", ns.host, "cat", "/proc/net/nf_conntrack")
                    .split("\n")
                    .filter((l) => {
                        // The first tuple is the connection as its client opened it.
                        const [, src, dst, dport] =
                            /src=(\S+) dst=(\S+) sport=\d+ dport=(\d+)/.exec(l) ?? [];
                        const outside = src !== undefined && src.startsWith("10.");
                        return (
                            outside &&
                            dst === agentAddress &&
                            dport === "80" &&
                            !/ (TIME_WAIT|CLOSE) /.test(l)
                        );
                    }).length;
            const end = Date.now() + 15_000;
            while (open() > 0) {
                if (Date.now() > end) assert.fail(`${open()} connections to the agent stay open`);
                await new Promise((r) => setTimeout(r, 100));
            }
        };
        let userA: Probe;
        before(async () => {
            assert.ok(perUid > 0 && perAddress > 0 && fromOutside > perAddress, lockRules);
            userA = await Probe.start(ns.host, uidA);
        });
        after(() => userA?.stop());

        it("one local UID gets its ration of sockets and no more; another UID is served meanwhile", async () => {
            const [held, status] = await Promise.all([
                holder(ns.host, uidOther, perUid + extra),
                askedMeanwhile(userA),
            ]);
            assert.deepStrictEqual(held, { connected: perUid, refused: extra, other: 0 });
            assert.strictEqual(status, 200);
        });

        it("one container address gets its ration, and a container with many addresses the outside's share", async () => {
            await outsideClosed();
            const [held, status] = await Promise.all([
                holder(ns.container, undefined, perAddress + extra),
                askedMeanwhile(userA),
            ]);
            assert.deepStrictEqual(held, { connected: perAddress, refused: extra, other: 0 });
            assert.strictEqual(status, 200);

            // A root container may take more addresses of its subnet: each under the per-address
            // ration, all of them together stop at the share of connections from outside.
            const subnet = `10.214.${process.pid % 250}`;
            const addresses = Array.from(
                { length: Math.ceil(fromOutside / perAddress) + 1 },
                (_, i) => `${subnet}.${i + 1}`,
            );
            for (const address of addresses)
                sh(
                    "ip",
                    "netns",
                    "exec",
                    ns.container,
                    "ip",
                    "addr",
                    "add",
                    `${address}/32`,
                    "dev",
                    "lo",
                );
            sh(
                "ip",
                "netns",
                "exec",
                ns.host,
                "ip",
                "route",
                "add",
                `${subnet}.0/24`,
                "via",
                ns.containerAddress,
            );
            const many = addresses.length * perAddress;
            await outsideClosed();
            const [all, statusThen] = await Promise.all([
                holder(ns.container, undefined, many, addresses),
                askedMeanwhile(userA),
            ]);
            assert.deepStrictEqual(all, {
                connected: fromOutside,
                refused: many - fromOutside,
                other: 0,
            });
            assert.strictEqual(statusThen, 200);
        });
    });

    describe("STS outage (fault proxy in front of moto)", () => {
        it("serves cached credentials, answers an uncached service 5xx JSON, recovers after", async () => {
            lab.send("sts down");
            await lab.line((l) => l === "ok sts down");
            assert.strictEqual(await keyIdWith("service-a"), keyIds["service-a"]);
            const down = await ask([["Authorization", tokens["service-c"]]]);
            assert.ok(down.status >= 500 && down.status < 600, `${down.status}`);
            const body = JSON.parse(down.body);
            assert.deepStrictEqual(Object.keys(body).sort(), ["code", "message"]);
            lab.send("sts up");
            await lab.line((l) => l === "ok sts up");
            assert.match(await keyIdWith("service-c"), /^ASIA/);
        });
    });

    describe("reload without a restart", () => {
        it("a services file replaced by rename: the new service served, the removed one refused", async () => {
            const pid = agent.pid;
            writeServices(["service-a", "service-c", "service-d"]);
            const end = Date.now() + 10_000;
            let d = await ask([["Authorization", tokens["service-d"]]]);
            while (d.status !== 200 && Date.now() < end) {
                await new Promise((r) => setTimeout(r, 200));
                d = await ask([["Authorization", tokens["service-d"]]]);
            }
            assert.strictEqual(d.status, 200, d.body);
            const b = await ask([["Authorization", tokens["service-b"]]]);
            assert.strictEqual(b.status, 403);
            assert.strictEqual(agent.pid, pid);
            assert.strictEqual(agent.exitCode, null);
        });

        it("SIGHUP re-reads the token files: a rotated token replaces the old one", async () => {
            const old = tokens["service-a"];
            writeToken("service-a", uidA);
            // Nothing watches the token files: until SIGHUP the old token is the one.
            assert.strictEqual((await ask([["Authorization", old]])).status, 200);
            assert.strictEqual((await ask([["Authorization", tokens["service-a"]]])).status, 403);
            const mark = agentOutput.length;
            process.kill(agent.pid!, "SIGHUP");
            const end = Date.now() + 10_000;
            while (!agentOutput.slice(mark).includes("reloaded") && Date.now() < end)
                await new Promise((r) => setTimeout(r, 100));
            assert.strictEqual(await keyIdWith("service-a"), keyIds["service-a"]);
            assert.strictEqual((await ask([["Authorization", old]])).status, 403);
            assert.strictEqual(agent.exitCode, null);
        });
    });
});
