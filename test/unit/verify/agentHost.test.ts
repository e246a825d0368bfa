// The profile sync's credential agent side (verify/host/profileSync/agentHost.ts) run for real on
// this machine: real useradd, groupadd, gpasswd and groupdel under rolepair-test-* names (removed
// at the end), files under a temporary stand-in root. systemctl is recorded, not run: no systemd
// runs here. The services file written is read back by the agent's own parser.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { agentServicesFile, agentTokenFile } from "../../../contract/credentialAgent";
import type { HostProfile } from "../../../contract/profileParameters";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { parseServicesFile } from "../../../verify/host/agent/servicesFile";
import { renderAgentServices } from "../../../verify/host/profileSync/agentFiles";
import { applyAgent, type AgentHostOptions } from "../../../verify/host/profileSync/agentHost";
import { runCommand, type RunCommand } from "../../../verify/host/profileSync/hostCommands";
import {
    accountEntry,
    accountExists,
    expectAccounts,
    makeTestUser,
    removeTestAccounts,
} from "../../support/localAccounts";

const region = "eu-west-3";
const agentUser = "rolepair-test-agent";
const alice = "rolepair-test-alice";
const bob = "rolepair-test-bob";
const ghost = "rolepair-test-ghost";
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

const profile = (name: string, users: string[], externalId?: string): HostProfile => ({
    name,
    roleArn: roleArn(name),
    region,
    ...(externalId !== undefined ? { externalId } : {}),
    agent: { users },
});
const plain = (name: string): HostProfile => ({ name, roleArn: roleArn(name), region });

describe("profile sync: the credential agent's host side (real useradd/groupadd, rolepair-test-*)", function () {
    this.timeout(60_000);
    let root: string;
    let systemctl: string[][];
    const at = (hostPath: string) => path.join(root, hostPath);
    const token = (service: string) => fs.readFileSync(at(agentTokenFile(service)), "utf8");
    // systemctl is recorded (no systemd here); everything else runs for real.
    const recording: RunCommand = (file, args) => {
        if (file === "systemctl") {
            systemctl.push([...args]);
            return Promise.resolve({
                code: args[0] === "is-active" ? 3 : 0,
                stdout: "",
                stderr: "",
            });
        }
        return runCommand(file, args);
    };
    const apply = (profiles: HostProfile[], extra: Partial<AgentHostOptions> = {}) =>
        applyAgent(profiles, {
            root,
            region,
            user: agentUser,
            run: recording,
            systemd: true,
            ...extra,
        });
    /** The services the services file names, in its order. */
    const served = () =>
        (
            JSON.parse(fs.readFileSync(at(agentServicesFile), "utf8")) as {
                services: { name: string }[];
            }
        ).services.map((s) => s.name);
    const members = (group: string) =>
        (accountEntry("group", group)?.[3] ?? "")
            .split(",")
            .filter((m) => m !== "")
            .sort();

    before(() => {
        expectAccounts("user", agentUser);
        expectAccounts("group", agentUser, "rolepair-test-a", "rolepair-test-b");
        makeTestUser(alice);
        makeTestUser(bob);
    });
    beforeEach(() => {
        root = makeTempDir("rolepair-root-");
        systemctl = [];
    });
    afterEach(() => removeTempDir(root));
    after(removeTestAccounts);

    it("renders the services file of the agent profiles only, sorted, in the agent's format", () => {
        const text = renderAgentServices(
            [profile("test-b", []), plain("plain"), profile("test-a", [], "ext-1")],
            region,
        );
        assert.strictEqual(
            text,
            JSON.stringify(
                {
                    region,
                    services: [
                        {
                            name: "test-a",
                            roleArn: roleArn("test-a"),
                            externalId: "ext-1",
                            tokenFile: "/etc/rolepair/agent/tokens/test-a",
                        },
                        {
                            name: "test-b",
                            roleArn: roleArn("test-b"),
                            tokenFile: "/etc/rolepair/agent/tokens/test-b",
                        },
                    ],
                },
                null,
                2,
            ) + "\n",
        );
        const tokens = new Map([
            ["/etc/rolepair/agent/tokens/test-a", "a".repeat(64)],
            ["/etc/rolepair/agent/tokens/test-b", "b".repeat(64)],
        ]);
        const parsed = parseServicesFile(text, (file) => tokens.get(file) as string);
        assert.deepStrictEqual(
            parsed.services.map((s) => [s.name, s.externalId]),
            [
                ["test-a", "ext-1"],
                ["test-b", undefined],
            ],
        );
    });

    it("makes the agent's user, a group per service with exactly its users, a token each and the services file, then starts the lock and the agent", async () => {
        const result = await apply([
            profile("test-a", [alice, ghost], "ext-1"),
            profile("test-b", [bob]),
            plain("plain"),
        ]);
        assert.strictEqual(result.failed, false, result.lines.join("\n"));
        const agent = accountEntry("passwd", agentUser) as string[];
        assert.strictEqual(agent[6], "/usr/sbin/nologin");
        assert.deepStrictEqual(members("rolepair-test-a"), [alice]);
        assert.deepStrictEqual(members("rolepair-test-b"), [bob]);
        assert.ok(!accountExists("group", "rolepair-plain"));
        assert.ok(
            result.lines.includes(
                `service test-a: no such user on this host, not put in rolepair-test-a: ${ghost}`,
            ),
            result.lines.join("\n"),
        );
        for (const service of ["test-a", "test-b"]) {
            const stat = fs.lstatSync(at(agentTokenFile(service)));
            const gid = Number(accountEntry("group", `rolepair-test-${service.slice(5)}`)?.[2]);
            assert.deepStrictEqual(
                [stat.isFile(), stat.mode & 0o7777, stat.uid, stat.gid],
                [true, 0o440, Number(agent[2]), gid],
            );
            assert.match(token(service), /^[0-9a-f]{64}$/);
        }
        assert.notStrictEqual(token("test-a"), token("test-b"));
        for (const dir of ["/etc/rolepair", "/etc/rolepair/agent", "/etc/rolepair/agent/tokens"]) {
            const stat = fs.lstatSync(at(dir));
            assert.deepStrictEqual(
                [stat.isDirectory(), stat.mode & 0o7777, stat.uid],
                [true, 0o755, 0],
            );
        }
        const services = fs.lstatSync(at(agentServicesFile));
        assert.deepStrictEqual(
            [services.mode & 0o7777, services.uid, services.gid],
            [0o640, 0, Number(agent[3])],
        );
        // The agent's own parser reads the file, and the tokens through the paths it names.
        const parsed = parseServicesFile(fs.readFileSync(at(agentServicesFile), "utf8"));
        assert.deepStrictEqual(
            parsed.services.map((s) => [s.name, s.roleArn, s.externalId, s.tokenFile]),
            [
                ["test-a", roleArn("test-a"), "ext-1", at(agentTokenFile("test-a"))],
                ["test-b", roleArn("test-b"), undefined, at(agentTokenFile("test-b"))],
            ],
        );
        assert.strictEqual(parsed.region, region);
        assert.deepStrictEqual(systemctl, [
            ["is-active", "--quiet", "rolepair-imds-lock.service"],
            ["enable", "--now", "rolepair-imds-lock.service"],
            ["is-active", "--quiet", "rolepair-credential-agent.service"],
            ["enable", "--now", "rolepair-credential-agent.service"],
        ]);
        // No line ever holds a token.
        for (const service of ["test-a", "test-b"]) {
            assert.ok(!result.lines.join("\n").includes(token(service).trim()));
        }
    });

    it("keeps each token while its service stays, sets the members again, and removes a removed service's token and group", async () => {
        await apply([profile("test-a", [alice]), profile("test-b", [bob])]);
        const kept = token("test-a");
        const again = await apply([profile("test-a", [bob]), profile("test-b", [bob])]);
        assert.strictEqual(again.failed, false, again.lines.join("\n"));
        assert.strictEqual(token("test-a"), kept);
        assert.deepStrictEqual(members("rolepair-test-a"), [bob]);
        assert.ok(again.lines.includes(`rolepair-test-a members: ${bob}`), again.lines.join("\n"));

        systemctl = [];
        const removed = await apply([profile("test-a", [])]);
        assert.strictEqual(removed.failed, false, removed.lines.join("\n"));
        assert.strictEqual(token("test-a"), kept);
        assert.deepStrictEqual(members("rolepair-test-a"), []);
        assert.ok(!fs.existsSync(at(agentTokenFile("test-b"))));
        assert.ok(!accountExists("group", "rolepair-test-b"));
        assert.deepStrictEqual(served(), ["test-a"]);
        assert.ok(
            removed.lines.includes(
                "service test-b removed: its token file and rolepair-test-b are gone",
            ),
        );
    });

    it("a refused parameter is not served but keeps its token and group; the agent is not turned off while one is refused", async () => {
        await apply([profile("test-a", [alice]), profile("test-b", [bob])]);
        const kept = { a: token("test-a"), b: token("test-b") };
        const partly = await apply([profile("test-a", [alice])], { refused: ["test-b"] });
        assert.strictEqual(partly.failed, false, partly.lines.join("\n"));
        assert.strictEqual(token("test-b"), kept.b);
        assert.deepStrictEqual(members("rolepair-test-b"), [bob]);
        assert.deepStrictEqual(served(), ["test-a"]);
        assert.ok(
            partly.lines.includes(
                "service test-b not served while its parameter is refused; its token file and group are kept",
            ),
            partly.lines.join("\n"),
        );

        // Every agent parameter refused: nothing is stopped, removed or rewritten.
        const services = fs.readFileSync(at(agentServicesFile), "utf8");
        systemctl = [];
        const all = await apply([plain("plain")], { refused: ["test-a", "test-b"] });
        assert.strictEqual(all.failed, false, all.lines.join("\n"));
        assert.deepStrictEqual(systemctl, []);
        assert.deepStrictEqual([token("test-a"), token("test-b")], [kept.a, kept.b]);
        assert.strictEqual(fs.readFileSync(at(agentServicesFile), "utf8"), services);
        assert.ok(accountExists("group", "rolepair-test-a"));
        assert.deepStrictEqual(all.lines, [
            "credential agent left as it is: no agent profile was read, but parameters were refused (test-a, test-b)",
        ]);

        // Fixed again: served with the token it had.
        await apply([profile("test-a", [alice]), profile("test-b", [bob])]);
        assert.strictEqual(token("test-b"), kept.b);
    });

    it("reloads a running agent when the services file or a token changed, and does nothing to units otherwise", async () => {
        await apply([profile("test-a", [])]);
        // Both units active, the lock's table loaded.
        const active: RunCommand = (file, args) => {
            if (file === "systemctl" || file === "nft") {
                if (file === "systemctl") systemctl.push([...args]);
                return Promise.resolve({ code: 0, stdout: "", stderr: "" });
            }
            return runCommand(file, args);
        };
        systemctl = [];
        await apply([profile("test-a", [])], { run: active });
        assert.deepStrictEqual(systemctl, [
            ["is-active", "--quiet", "rolepair-imds-lock.service"],
            ["is-active", "--quiet", "rolepair-credential-agent.service"],
        ]);
        systemctl = [];
        await apply([profile("test-a", []), profile("test-b", [])], { run: active });
        assert.deepStrictEqual(systemctl, [
            ["is-active", "--quiet", "rolepair-imds-lock.service"],
            ["is-active", "--quiet", "rolepair-credential-agent.service"],
            ["reload", "rolepair-credential-agent.service"],
        ]);
        // A rotation: the token file removed by hand, made again; the services file is the same.
        const before = token("test-a");
        fs.rmSync(at(agentTokenFile("test-a")));
        systemctl = [];
        await apply([profile("test-a", []), profile("test-b", [])], { run: active });
        assert.notStrictEqual(token("test-a"), before);
        assert.deepStrictEqual(systemctl, [
            ["is-active", "--quiet", "rolepair-imds-lock.service"],
            ["is-active", "--quiet", "rolepair-credential-agent.service"],
            ["reload", "rolepair-credential-agent.service"],
        ]);
    });

    it("an active lock whose table is gone (a flush ruleset took it) is loaded again", async () => {
        await apply([profile("test-a", [])]);
        const asked: string[][] = [];
        // nft as it answers when the table is not in the rule set.
        const flushed: RunCommand = (file, args) => {
            if (file === "systemctl") {
                systemctl.push([...args]);
                return Promise.resolve({ code: 0, stdout: "", stderr: "" });
            }
            if (file === "nft") {
                asked.push([...args]);
                return Promise.resolve({
                    code: 1,
                    stdout: "",
                    stderr: "Error: No such file or directory\nlist table inet rolepair_imds\n",
                });
            }
            return runCommand(file, args);
        };
        systemctl = [];
        const result = await apply([profile("test-a", [])], { run: flushed });
        assert.strictEqual(result.failed, false, result.lines.join("\n"));
        assert.deepStrictEqual(asked, [["list", "table", "inet", "rolepair_imds"]]);
        assert.deepStrictEqual(systemctl, [
            ["is-active", "--quiet", "rolepair-imds-lock.service"],
            ["reload", "rolepair-imds-lock.service"],
            ["is-active", "--quiet", "rolepair-credential-agent.service"],
        ]);
        assert.ok(
            result.lines.includes("the IMDS lock's table rolepair_imds was gone: loaded it again"),
            result.lines.join("\n"),
        );

        // nft failing otherwise is the sync's failure, named; the lock is not reloaded blindly.
        const broken: RunCommand = (file, args) =>
            file === "nft"
                ? Promise.resolve({ code: 1, stdout: "", stderr: "Error: Operation not permitted" })
                : flushed(file, args);
        systemctl = [];
        const failing = await apply([profile("test-a", [])], { run: broken });
        assert.strictEqual(failing.failed, true);
        assert.match(
            failing.lines.join("\n"),
            /nft list table inet rolepair_imds: .*Operation not permitted/,
        );
        assert.ok(!systemctl.some((c) => c[0] === "reload"), systemctl.join("\n"));
    });

    it("with no agent profile left: stops and disables the agent, then the lock, and removes the services file, tokens and groups", async () => {
        await apply([profile("test-a", [alice]), profile("test-b", [])]);
        systemctl = [];
        const off = await apply([plain("plain")]);
        assert.strictEqual(off.failed, false, off.lines.join("\n"));
        assert.deepStrictEqual(systemctl, [
            ["disable", "--now", "rolepair-credential-agent.service"],
            ["disable", "--now", "rolepair-imds-lock.service"],
        ]);
        assert.ok(!fs.existsSync(at("/etc/rolepair")));
        assert.ok(!accountExists("group", "rolepair-test-a"));
        assert.ok(!accountExists("group", "rolepair-test-b"));
        // A host that never had the agent: nothing is asked, nothing is said.
        systemctl = [];
        const none = await apply([plain("plain")]);
        assert.deepStrictEqual([none.lines, systemctl], [[], []]);
    });

    it("turning off: a unit that cannot be disabled but is not running does not stop the clean-up; a running one does", async () => {
        const systemdSays =
            (activeCode: number): RunCommand =>
            (file, args) => {
                if (file !== "systemctl") return runCommand(file, args);
                systemctl.push([...args]);
                const code = args[0] === "disable" ? 1 : activeCode;
                return Promise.resolve({ code, stdout: "", stderr: "Unit file does not exist." });
            };
        await apply([profile("test-a", [])]);
        const running = await apply([plain("plain")], { run: systemdSays(0) });
        assert.strictEqual(running.failed, true);
        assert.ok(fs.existsSync(at(agentServicesFile)), "removed while the agent still runs");
        assert.ok(accountExists("group", "rolepair-test-a"));

        const gone = await apply([plain("plain")], { run: systemdSays(3) });
        assert.strictEqual(gone.failed, false, gone.lines.join("\n"));
        assert.ok(
            gone.lines.includes(
                "rolepair-credential-agent.service could not be disabled (exit 1: Unit file does not exist.); it is not running",
            ),
            gone.lines.join("\n"),
        );
        assert.ok(!fs.existsSync(at("/etc/rolepair")));
        assert.ok(!accountExists("group", "rolepair-test-a"));
    });

    it("without systemd: writes everything and says the units were not started", async () => {
        const result = await apply([profile("test-a", [])], { systemd: false });
        assert.deepStrictEqual(systemctl, []);
        assert.ok(
            result.lines.includes("no systemd here: the lock and the agent were not started"),
        );
        assert.ok(fs.existsSync(at(agentServicesFile)));
    });

    it("refuses a link where a token file goes, follows it nowhere, and serves the other services", async () => {
        const target = path.join(root, "elsewhere");
        fs.writeFileSync(target, "not a token\n", { mode: 0o600 });
        fs.mkdirSync(at("/etc/rolepair/agent/tokens"), { recursive: true });
        fs.symlinkSync(target, at(agentTokenFile("test-a")));
        const result = await apply([profile("test-a", []), profile("test-b", [])]);
        assert.strictEqual(result.failed, true);
        assert.ok(
            result.lines.includes(
                "service test-a not served: /etc/rolepair/agent/tokens/test-a is not a regular file; refused",
            ),
            result.lines.join("\n"),
        );
        assert.strictEqual(fs.readFileSync(target, "utf8"), "not a token\n");
        assert.deepStrictEqual(
            [fs.statSync(target).mode & 0o7777, fs.statSync(target).uid],
            [0o600, 0],
        );
        assert.deepStrictEqual(served(), ["test-b"]);
        // The link is not the sync's to remove either: the service is still asked for.
        assert.ok(fs.lstatSync(at(agentTokenFile("test-a"))).isSymbolicLink());
    });
});
