// The credential agent and the IMDS lock run from the unit files the profile sync installed, by
// the stand-in for systemd (test/support/unitRunner.ts), in the agent suite's network namespace
// with moto and the IMDSv2 double inside: the sync (profileSyncNow with the agent, as the
// deploying side runs it) installs the program, the lock and both units into a stand-in root and
// makes the service's group (real groupadd, rolepair-test-*); starting the agent's unit starts the
// lock first; the agent listens on 169.254.170.23:80 as rolepair-agent with CAP_NET_BIND_SERVICE
// only; IMDS refuses an unprivileged UID; a member of the service's group gets the service's role
// with the token it reads; ExecReload reloads it; killed, it is started again (Restart=on-failure);
// stopping the lock stops the agent first (BindsTo=) and removes the address and the table; a
// lock that cannot be loaded keeps the agent from starting.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

import {
    agentTokenFile,
    agentUnit,
    imdsLockPath,
    imdsLockTable,
    imdsLockUnit,
} from "../../contract/credentialAgent";
import { systemUnitDirectory } from "../../contract/credentialAgentUnits";
import { profilesParameterPath, profileSyncNow } from "../../contract/profileSync";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { type StandInHost, standInHostBinds, startStandInHost } from "../../lab/hostLayout";
import {
    accountEntry,
    expectAccounts,
    makeTestUser,
    removeTestAccounts,
} from "../support/localAccounts";
import { until } from "../support/installedAgent";
import { inNamespaceNow, UnitRunner } from "../support/unitRunner";
import type { NsLab } from "./nsLab";
import {
    agentUser,
    ensureAgentUser,
    LineChild,
    makeNamespaces,
    Namespaces,
    nsLabCommand,
    Probe,
    root as repoRoot,
    runIn,
} from "./netnsFixture";

const service = "test-svc";
const alice = "rolepair-test-alice";
const uidOther = 64119;
const agentAddress = "169.254.170.23";
const venv = path.join(repoRoot, ".venv/bin");
const node22 = path.join(repoRoot, ".tools/node-22/node_modules/.bin/node");

describe("the agent and the lock started from their installed unit files (stand-in systemd, netns)", function () {
    this.timeout(240_000);
    let ns: Namespaces;
    let dir: string;
    let hostRoot: string;
    let lab: LineChild;
    let info: NsLab;
    let units: UnitRunner;
    let standIn: StandInHost | undefined;
    let unprivileged: Probe;
    const secrets: string[] = [];
    const inHost = (...command: string[]) => inNamespaceNow(ns.host, command);

    before(async () => {
        if (!fs.existsSync(node22)) {
            throw new Error(`${node22} is missing: run "bash scripts/setup-test-tools.sh node22"`);
        }
        ensureAgentUser();
        expectAccounts("group", `rolepair-${service}`);
        makeTestUser(alice);
        ns = makeNamespaces();
        dir = makeTempDir("rolepair-units-");
        fs.chmodSync(dir, 0o755);
        hostRoot = path.join(dir, "root");
        fs.mkdirSync(hostRoot, { mode: 0o755 });
        lab = LineChild.start(ns.host, undefined, [...nsLabCommand, service], { TMPDIR: dir });
        [info, unprivileged] = await Promise.all([
            lab.line((l) => l.startsWith("{")).then((l) => JSON.parse(l) as NsLab),
            Probe.start(ns.host, uidOther),
        ]);
        secrets.push(...info.secrets);
    });

    after(async () => {
        // What is still running goes with the namespace below, even when a stop fails here.
        await units?.stopAll().catch((error: Error) => console.error(error.message));
        await standIn?.stop();
        await unprivileged?.stop();
        if (lab !== undefined) await lab.stop();
        ns?.remove();
        if (dir !== undefined) removeTempDir(dir);
        removeTestAccounts();
        const output = [...(units?.journal ?? []), lab?.stderr ?? ""].join("");
        const leaked = secrets.filter((s) => s && output.includes(s));
        assert.strictEqual(leaked.length, 0, "a token or secret in a unit's or the lab's output");
    });

    it("installs with the sync, starts the lock then the agent from their files, serves the service's group only, reloads and stops cleanly", async () => {
        // The sync, as the host runs it, inside the namespace: the host role from the IMDS double,
        // its profiles from moto's SSM.
        const profilesPath = profilesParameterPath("rolepair", "dev", `units${process.pid}`);
        const from = lab.lines.length;
        lab.send(`profile ${profilesPath} ${service} ${alice}`);
        assert.match(await lab.line((l) => /^(ok|failed) profile /.test(l), from), /^ok /);
        const script = path.join(dir, "rolepair-sync-now.sh");
        fs.writeFileSync(
            script,
            profileSyncNow(profilesPath, { credentialAgent: true, attempts: 3, pauseSeconds: 1 }),
        );
        const home = path.join(dir, "home");
        fs.mkdirSync(home);
        const sync = await runIn(ns.host, undefined, ["bash", script], {
            PATH: `${venv}:${process.env.PATH}`,
            HOME: home,
            ROLEPAIR_HOST_ROOT: hostRoot,
            ROLEPAIR_HOST_HOME: home,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://169.254.169.254",
            AWS_EC2_METADATA_V1_DISABLED: "true",
            AWS_ENDPOINT_URL: info.motoEndpoint,
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        });
        assert.strictEqual(sync.code, 0, sync.stderr);
        const tokenPath = path.join(hostRoot, agentTokenFile(service));
        const token = fs.readFileSync(tokenPath, "utf8").trim();
        secrets.push(token);
        assert.ok(!sync.stderr.includes(token), "the sync printed the token");

        // No real STS here: a drop-in points the agent at moto's, as an admin's drop-in would.
        const dropIns = path.join(hostRoot, systemUnitDirectory, `${agentUnit}.service.d`);
        fs.mkdirSync(dropIns);
        fs.writeFileSync(
            path.join(dropIns, "rolepair-test.conf"),
            `[Service]\nEnvironment=AWS_ENDPOINT_URL=${info.stsEndpoint}\n`,
        );
        // The host over the stand-in root the sync wrote, its parts at their paths.
        standIn = await startStandInHost(ns.host, standInHostBinds(hostRoot, node22));
        units = new UnitRunner({ root: hostRoot, host: standIn });
        // ExecStartPre is to add the agent's address: the namespace starts without it.
        await inHost("ip", "address", "del", `${agentAddress}/32`, "dev", "lo");

        await units.start(agentUnit);
        assert.deepStrictEqual(units.events.slice(0, 4), [
            `start ${imdsLockUnit}`,
            `run ${imdsLockUnit} ExecStart`,
            `start ${agentUnit}`,
            `run ${agentUnit} ExecStartPre`,
        ]);
        assert.match(await inHost("nft", "list", "tables"), new RegExp(`inet ${imdsLockTable}`));
        const pid = units.mainPid(agentUnit)!;
        await units.untilJournal(agentUnit, "listening on");
        assert.match(
            await inHost("ss", "-Hltnp", `sport = :80`),
            new RegExp(`${agentAddress.replace(/\./g, "\\.")}:80 .*pid=${pid},`),
        );
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1];
        const agentUid = accountEntry("passwd", agentUser)![2];
        assert.strictEqual(field("Uid"), [agentUid, agentUid, agentUid, agentUid].join("\t"));
        // CAP_NET_BIND_SERVICE is bit 10.
        assert.strictEqual(field("CapEff"), "0000000000000400");
        assert.strictEqual(field("CapBnd"), "0000000000000400");
        assert.strictEqual(field("NoNewPrivs"), "1");
        // The sandbox: / read-only, a private /tmp.
        const mounts = fs.readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n");
        const mountAt = (at: string) => mounts.filter((m) => m.split(" ")[4] === at).pop() ?? "";
        assert.match(mountAt("/").split(" ")[5], /^ro\b/);
        assert.match(mountAt("/tmp"), / - tmpfs /);
        if (fs.existsSync("/home")) assert.match(mountAt("/home"), / - tmpfs /);

        // IMDS is the lock's: an unprivileged UID gets nothing from it.
        const imds = await unprivileged.http("169.254.169.254", 80, "PUT", "/latest/api/token", [
            ["X-aws-ec2-metadata-token-ttl-seconds", "60"],
            ["Content-Length", "0"],
        ]);
        assert.strictEqual(imds.status, 0, "IMDS answered an unprivileged UID");
        const none = await unprivileged.http(agentAddress, 80, "GET", "/v1/credentials", []);
        assert.strictEqual(none.status, 401);

        // A member of the service's group reads its token and gets the service's role (the AWS
        // CLI with no credential code: the container provider).
        const identity = await new Promise<{ code: number; stdout: string; stderr: string }>(
            (resolve) =>
                execFile(
                    "ip",
                    [
                        ...["netns", "exec", ns.host, "setpriv", `--reuid=${alice}`],
                        ...[`--regid=${alice}`, "--init-groups", "--"],
                        ...[
                            path.join(venv, "aws"),
                            "sts",
                            "get-caller-identity",
                            "--output",
                            "json",
                        ],
                    ],
                    {
                        env: {
                            PATH: process.env.PATH,
                            HOME: "/nonexistent",
                            AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://${agentAddress}/v1/credentials`,
                            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenPath,
                            AWS_ENDPOINT_URL: info.motoEndpoint,
                            AWS_DEFAULT_REGION: "us-east-1",
                            AWS_CONFIG_FILE: "/dev/null",
                            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
                        },
                        timeout: 60_000,
                    },
                    (error, stdout, stderr) =>
                        resolve({ code: error === null ? 0 : 1, stdout, stderr }),
                ),
        );
        assert.strictEqual(identity.code, 0, identity.stderr);
        const roleName = info.services[0].roleArn.split("/").pop()!;
        assert.match(JSON.parse(identity.stdout).Arn, new RegExp(`:assumed-role/${roleName}/`));

        // ExecReload: SIGHUP to the main process, which reloads in place.
        const reloaded = () => units.journal.filter((l) => l.includes("reloaded: services")).length;
        const before = reloaded();
        await units.reload(agentUnit);
        await until("the agent's reload", async () => (reloaded() > before ? true : undefined));
        assert.strictEqual(units.mainPid(agentUnit), pid);

        // The lock's ExecReload loads its file again, as a new table: its drop counters (the
        // unprivileged UID's drops above) start again from 0.
        const dropped = async () =>
            [
                ...(await inHost("nft", "list", "table", "inet", imdsLockTable)).matchAll(
                    /counter packets (\d+)/g,
                ),
            ].reduce((sum, m) => sum + Number(m[1]), 0);
        assert.ok((await dropped()) > 0, "no drop counted before the reload");
        await units.reload(imdsLockUnit);
        assert.strictEqual(await dropped(), 0);

        // Restart=on-failure: the agent killed, the stand-in does what systemd would: ExecStopPost
        // (the address leaves), RestartSec=, ExecStartPre (it comes back), a new main process.
        const listened = () => units.journal.filter((l) => l.includes("listening on")).length;
        const listenedBefore = listened();
        process.kill(pid, "SIGKILL");
        await until("the agent started again", async () =>
            listened() > listenedBefore ? true : undefined,
        );
        assert.ok(units.events.includes(`restart ${agentUnit}`), units.events.join("\n"));
        assert.notStrictEqual(units.mainPid(agentUnit), pid);
        const again = await unprivileged.http(agentAddress, 80, "GET", "/v1/credentials", []);
        assert.strictEqual(again.status, 401);

        // Stopping the lock stops the agent bound to it first (BindsTo=): the agent's ExecStopPost
        // (the address leaves lo), then the lock's ExecStop deletes its table.
        const stoppedFrom = units.events.length;
        await units.stop(imdsLockUnit);
        assert.deepStrictEqual(
            units.events.slice(stoppedFrom).filter((e) => e.startsWith("stop ")),
            [`stop ${agentUnit}`, `stop ${imdsLockUnit}`],
        );
        assert.ok(!units.isActive(agentUnit));
        assert.doesNotMatch(
            await inHost("ip", "-o", "address", "show", "dev", "lo"),
            /169\.254\.170\.23/,
        );
        assert.doesNotMatch(await inHost("nft", "list", "tables"), new RegExp(imdsLockTable));

        // A lock that cannot be loaded (its file damaged) keeps the agent from starting at all:
        // no agent answers where IMDS is open.
        const lockFile = path.join(hostRoot, imdsLockPath);
        const rules = fs.readFileSync(lockFile, "utf8");
        fs.writeFileSync(lockFile, `${rules}\nthis is not nft\n`);
        try {
            const startFrom = units.events.length;
            await assert.rejects(units.start(agentUnit), /not started, rolepair-imds-lock failed/);
            assert.ok(!units.isActive(agentUnit) && !units.isActive(imdsLockUnit));
            assert.ok(
                !units.events.slice(startFrom).includes(`start ${agentUnit}`),
                units.events.slice(startFrom).join("\n"),
            );
            const answer = await unprivileged.http(agentAddress, 80, "GET", "/v1/credentials", []);
            assert.strictEqual(answer.status, 0, "something answered on the agent's address");
        } finally {
            fs.writeFileSync(lockFile, rules);
        }
    });
});
