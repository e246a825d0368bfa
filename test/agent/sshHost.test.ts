// The credential agent on an SSH host, as the real host runs it, and the proof over SSH through it.
// The host is the agent suite's network namespace (moto and the IMDSv2 double inside) with a real
// sshd in it, whose sessions see a stand-in host's filesystem at the host's paths
// (lab/hostLayout.ts: /usr/local/lib/rolepair, /etc/rolepair, /etc/systemd/system, /home; the
// machine's own are never written). systemd is the stand-in (test/support/unitRunner.ts), reached
// through a systemctl at /usr/bin/systemctl (systemctlDouble.ts). First boot: the user data, run
// as cloud-init runs it (root, bash), links AL2023's node, installs the sync and its units, and its
// `systemctl start --no-block` runs the first sync from its unit. Then, as a deploy does:
// - ec2-user (a real login user, rolepair-test-ec2, whose home is /home/ec2-user there, with sudo
//   as on EC2) runs the component's sync step over SSH (profileSyncNow with the agent on, under
//   `sudo -n`, no stand-in root, no test variable): it installs the agent, the lock and their
//   units; its `systemctl start rolepair-profiles.service` runs the sync program from its unit; the
//   sync makes the services' groups and tokens and has systemctl start the lock, then the agent
//   (its user, rolepair-agent, made as the host does when missing);
// - ec2-user runs the component's verify command line on the bundle copied over scp, with the plan
//   on stdin: IMDS is refused to it by the loaded lock, and every service's agent and AWS_PROFILE
//   steps pass;
// - the lock's table deleted (as a flush ruleset would): IMDS is open to a UID until the next
//   sync step, which finds the table gone and loads it again;
// - day 2: a service's parameter deleted, the sync step again: the agent reloads through
//   systemctl, the removed service's token is refused, the proof of the rest passes;
// - prove (dist/prove.js) from the stack's outputs, over SSH with the pinned host key, as ec2-user.
// The only test settings point AWS at moto (no real AWS): two drop-ins (the sync's and the agent's
// units), the sessions' AWS_ENDPOINT_URL, and sudo keeping it.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { buildVerifyPlanCommand, verifyPlanJson } from "../../components/commandLines";
import { hostUserData } from "../../components/userData";
import { parseVerificationReport } from "../../components/proofReport";
import { remoteVerifyPath } from "../../components/sshTransport";
import {
    agentTokenFile,
    agentUnit,
    imdsLockTable,
    imdsLockUnit,
} from "../../contract/credentialAgent";
import { systemUnitDirectory } from "../../contract/credentialAgentUnits";
import type { VerifyTarget } from "../../contract/plan";
import type { ProofTarget } from "../../contract/proofTarget";
import type { ProofReport } from "../../contract/report";
import {
    profileSyncNow,
    profileSyncRemoteCommand,
    profilesParameterPath,
    profileSyncUnit,
} from "../../contract/profileSync";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { type StandInHost, standInHostBinds, startStandInHost } from "../../lab/hostLayout";
import { region } from "../../lab/moto";
import { SshHost, startSshHost } from "../../lab/sshd";
import { bundlePath, runProcess } from "../../lab/verifyProcess";
import {
    accountEntry,
    expectAccounts,
    makeLoginUser,
    removeTestAccounts,
} from "../support/localAccounts";
import { until } from "../support/installedAgent";
import { agentSteps, profileSteps, stepOutcomes } from "../support/proofSteps";
import { SystemctlDouble } from "../support/systemctlDouble";
import { inNamespaceNow, UnitRunner } from "../support/unitRunner";
import type { NsLab } from "./nsLab";
import {
    ensureAgentUser,
    LineChild,
    makeNamespaces,
    Namespaces,
    nsLabCommand,
    Probe,
    root as repoRoot,
} from "./netnsFixture";

const names = ["test-host-a", "test-host-b"];
const ec2User = "rolepair-test-ec2";
const uidOther = 64121;
const agentAddress = "169.254.170.23";
const node22 = path.join(repoRoot, ".tools/node-22/node_modules/.bin/node");
const awsCli = path.join(repoRoot, ".venv/bin/aws");
const provePath = path.join(repoRoot, "dist/prove.js");
/** What the client passes (ssh needs one variable; the host's own come from sshd's SetEnv). */
const quiet = { NODE_NO_WARNINGS: "1" };

describe("the agent on an SSH host as the host runs it: sync step over SSH, units through systemctl, the proof over SSH (netns, stand-in systemd)", function () {
    this.timeout(300_000);
    let ns: Namespaces;
    let dir: string;
    let hostRoot: string;
    let lab: LineChild;
    let info: NsLab;
    let systemctl: SystemctlDouble;
    let standIn: StandInHost;
    let units: UnitRunner;
    let host: SshHost;
    let unprivileged: Probe;
    const profilesPath = profilesParameterPath("rolepair", "dev", `sshhost${process.pid}`);
    const outputs: string[] = [];
    const secrets: string[] = [];
    const hostPath = (at: string) => path.join(hostRoot, at);
    /** An account as the host has it: the sync's useradd and groupadd write the host's /etc. */
    const hostAccount = (database: "passwd" | "group", name: string) =>
        execFileSync(standIn.enter[0], [...standIn.enter.slice(1), "getent", database, name], {
            encoding: "utf8",
        })
            .trim()
            .split(":");
    /** Runs a shell command in the host as root (its /etc is its own). */
    const inHost = (command: string) =>
        execFileSync(standIn.enter[0], [...standIn.enter.slice(1), "sh", "-c", command]);

    before(async () => {
        for (const tool of [node22, awsCli]) {
            if (!fs.existsSync(tool)) {
                throw new Error(
                    `${tool} is missing: run "bash scripts/setup-test-tools.sh node22 awscli"`,
                );
            }
        }
        ensureAgentUser();
        expectAccounts("group", ...names.map((n) => `rolepair-${n}`));
        makeLoginUser(ec2User, "/home/ec2-user");
        ns = makeNamespaces();
        dir = makeTempDir("rolepair-sshhost-");
        fs.chmodSync(dir, 0o755);
        // The host's directories, root's (755) as on the instance; ec2-user's home is its own.
        hostRoot = path.join(dir, "root");
        for (const part of [
            "usr/local/lib/rolepair",
            "etc/rolepair",
            systemUnitDirectory.slice(1),
            "run/systemd/system",
            "home/ec2-user",
        ]) {
            fs.mkdirSync(hostPath(part), { recursive: true, mode: 0o755 });
        }
        const ec2 = accountEntry("passwd", ec2User)!;
        fs.chownSync(hostPath("home/ec2-user"), Number(ec2[2]), Number(ec2[3]));
        fs.chmodSync(hostPath("home/ec2-user"), 0o700);

        lab = LineChild.start(ns.host, undefined, [...nsLabCommand, ...names], { TMPDIR: dir });
        [info, unprivileged] = await Promise.all([
            lab.line((l) => l.startsWith("{")).then((l) => JSON.parse(l) as NsLab),
            Probe.start(ns.host, uidOther),
        ]);
        secrets.push(...info.secrets);
        // No real AWS here: drop-ins point the sync's and the agent's AWS calls at moto, as an
        // admin's drop-in would at a VPC endpoint.
        dropIn(`${profileSyncUnit}.service`, info.motoEndpoint);
        dropIn(`${agentUnit}.service`, info.stsEndpoint);

        systemctl = await SystemctlDouble.start();
        // As on AL2023: the AWS CLI at /usr/bin/aws (the sync program reads SSM with it), nodejs22
        // at /usr/bin/node-22 (the user data links /usr/local/bin/node to it), and dnf, a double
        // that finds nodejs22 installed.
        fs.writeFileSync(
            path.join(dir, "dnf"),
            '#!/bin/sh\necho "dnf (stand-in): $*: nodejs22 is installed (/usr/bin/node-22)"\n',
            { mode: 0o755 },
        );
        const binds = standInHostBinds(
            hostRoot,
            node22,
            [
                systemctl.bind(),
                { source: awsCli, target: "/usr/bin/aws", kind: "file" },
                { source: path.join(dir, "dnf"), target: "/usr/bin/dnf", kind: "file" },
            ],
            "/usr/bin/node-22",
        );
        standIn = await startStandInHost(ns.host, binds, ["/usr/local/bin"]);
        units = new UnitRunner({ root: hostRoot, host: standIn });
        systemctl.answerFor(units);
        host = await startSshHost({
            host: standIn,
            loginUsers: [ec2User],
            // What an EC2 host's sessions would have, AWS through moto here (no real AWS).
            sessionEnv: {
                // AL2023's PATH: node is the user data's /usr/local/bin/node.
                PATH: "/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin",
                HOME: "/home/ec2-user",
                NODE_NO_WARNINGS: "1",
                AWS_ENDPOINT_URL: info.motoEndpoint,
            },
        });
        // ec2-user's sudo, as on EC2 (NOPASSWD); sudo's env_reset would drop the session's
        // AWS_ENDPOINT_URL, which only this stand-in needs.
        inHost(
            [
                "mkdir -p /etc/sudoers.d",
                `printf '%s\\n' '${ec2User} ALL=(ALL) NOPASSWD: ALL' 'Defaults env_keep += "AWS_ENDPOINT_URL"' >/etc/sudoers.d/rolepair-test`,
                "chmod 440 /etc/sudoers.d/rolepair-test",
            ].join(" && "),
        );
        // ExecStartPre is to add the agent's address: the namespace starts without it here.
        await inNamespaceNow(ns.host, ["ip", "address", "del", `${agentAddress}/32`, "dev", "lo"]);
    });

    after(async () => {
        // What is still running goes with the namespace below, even when a stop fails here.
        await units?.stopAll().catch((error: Error) => console.error(error.message));
        await host?.stop();
        await standIn?.stop();
        await systemctl?.stop();
        await unprivileged?.stop();
        if (lab !== undefined) await lab.stop();
        ns?.remove();
        if (dir !== undefined) removeTempDir(dir);
        removeTestAccounts();
        const output = [...outputs, ...(units?.journal ?? []), lab?.stderr ?? ""].join("");
        const leaked = secrets.filter((s) => s && output.includes(s));
        assert.strictEqual(leaked.length, 0, "a token or secret in an output");
    });

    function dropIn(unit: string, endpoint: string) {
        const at = hostPath(path.join(systemUnitDirectory.slice(1), `${unit}.d`));
        fs.mkdirSync(at, { recursive: true });
        fs.writeFileSync(
            path.join(at, "rolepair-test.conf"),
            `[Service]\nEnvironment=AWS_ENDPOINT_URL=${endpoint}\n`,
        );
    }

    async function labSays(line: string) {
        const from = lab.lines.length;
        lab.send(line);
        assert.match(
            await lab.line((l) => l.endsWith(line) || l.includes(`${line}:`), from),
            /^ok /,
        );
    }

    /** The component's sync step: ec2-user, `sudo -n bash -s`, the script on stdin. */
    async function syncStep(profiles: string[]) {
        const script = profileSyncNow(profilesPath, {
            credentialAgent: true,
            attempts: 3,
            pauseSeconds: 1,
            profiles,
        });
        const synced = await host.run(profileSyncRemoteCommand, quiet, script, ec2User);
        outputs.push(synced.stdout, synced.stderr);
        assert.strictEqual(synced.code, 0, `${synced.stderr}\n${units.journal.join("")}`);
        return synced;
    }

    /** The component's verify command line, as ec2-user, the plan on stdin. */
    async function proveOverSsh(targets: VerifyTarget[]) {
        const command = buildVerifyPlanCommand({
            scriptPath: remoteVerifyPath,
            region,
            propagationTimeoutSeconds: 5,
        });
        const result = await host.run(command, quiet, verifyPlanJson(targets), ec2User);
        outputs.push(result.stdout, result.stderr);
        assert.ok(result.stdout.trim() !== "", `no report (exit ${result.code}): ${result.stderr}`);
        return { ...result, report: parseVerificationReport(result.stdout) };
    }

    const plan = (only: string[]): VerifyTarget[] =>
        info.services
            .filter((s) => only.includes(s.name))
            .map((s) => ({
                name: s.name,
                roleArn: s.roleArn,
                bucket: s.bucket,
                // What the lab's service roles are granted (lab/agentRoles.ts).
                objectActions: ["s3:GetObject"],
                profile: s.name,
                agent: true,
            }));

    const tokenOf = (service: string) => {
        const token = fs.readFileSync(hostPath(agentTokenFile(service).slice(1)), "utf8");
        secrets.push(token);
        return token;
    };

    it("first boot: the user data, as cloud-init runs it, links node, installs the sync, enables its timer and starts the first sync", async () => {
        for (const name of names) await labSays(`profile ${profilesPath} ${name} ${ec2User}`);
        // Not execFileSync: the script's systemctl is answered by this process.
        const boot = await runProcess(
            standIn.enter[0],
            [...standIn.enter.slice(1), "bash", "-s"],
            { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
            120_000,
            hostUserData(profilesPath),
        );
        assert.strictEqual(boot.code, 0, boot.stderr);
        // Throws unless the user data linked AL2023's node where the units and sessions run it.
        inHost('test "$(readlink /usr/local/bin/node)" = /usr/bin/node-22');
        assert.ok(systemctl.enabled.has(`${profileSyncUnit}.timer`));
        assert.ok(
            systemctl.calls.some(
                (c) => c.join(" ") === `start --no-block ${profileSyncUnit}.service`,
            ),
        );
        // The first sync, from its unit: ec2-user's config (the agent is not installed yet).
        const config = hostPath("home/ec2-user/.aws/config");
        await until("the first sync's config", async () =>
            fs.existsSync(config) ? true : undefined,
        );
        assert.match(fs.readFileSync(config, "utf8"), new RegExp(`\\[profile ${names[0]}\\]`));
        assert.ok(!units.isActive(agentUnit));
    });

    it("the sync step over SSH installs the agent and the lock and starts them through systemctl, lock first", async () => {
        await syncStep(names);
        const asked = systemctl.calls.map((c) => c.join(" "));
        assert.ok(asked.includes(`enable --now ${profileSyncUnit}.timer`), asked.join("\n"));
        assert.ok(asked.includes(`start ${profileSyncUnit}.service`), asked.join("\n"));
        const lockAt = asked.indexOf(`enable --now ${imdsLockUnit}.service`);
        const agentAt = asked.indexOf(`enable --now ${agentUnit}.service`);
        assert.ok(lockAt >= 0 && agentAt > lockAt, asked.join("\n"));
        assert.ok(units.isActive(imdsLockUnit) && units.isActive(agentUnit));
        await units.untilJournal(agentUnit, "listening on");
        // Each service's group holds ec2-user; a UID outside it cannot read the token.
        for (const name of names) {
            assert.strictEqual(hostAccount("group", `rolepair-${name}`)[3], ec2User);
            tokenOf(name);
        }
        const read = await unprivileged.http(agentAddress, 80, "GET", "/v1/credentials", []);
        assert.strictEqual(read.status, 401);
        await assert.rejects(
            inNamespaceNow(ns.host, [
                ...["setpriv", `--reuid=${uidOther}`, `--regid=${uidOther}`, "--clear-groups"],
                ...["cat", hostPath(agentTokenFile(names[0]).slice(1))],
            ]),
            /Permission denied/,
        );
    });

    it("verify over SSH as ec2-user: IMDS refused by the lock, every service's agent and profile steps pass", async () => {
        const copied = await host.copy(bundlePath, remoteVerifyPath, ec2User);
        assert.strictEqual(copied.code, 0, copied.stderr);
        const { code, stderr, report } = await proveOverSsh(plan(names));
        assert.strictEqual(code, 0, stderr);
        assert.strictEqual(report.ok, true);
        const refused = report.steps.find((s) => s.name === "imds-refused");
        assert.strictEqual(refused?.ok, true);
        const uid = accountEntry("passwd", ec2User)![2];
        // The loaded lock drops the packets (no refusal comes back).
        assert.match(
            String(refused.observed),
            new RegExp(`to UID ${uid} in \\d+ ms \\(dropped\\)`),
        );
        const steps = [...agentSteps, ...profileSteps];
        assert.deepStrictEqual(
            stepOutcomes(report, steps),
            names.map((name) => [name, steps.map(() => true)]),
        );
    });

    it("the lock's table flushed (as nftables.service's reload or stop does): IMDS is open until the next sync step loads it again", async () => {
        const imdsToken = () =>
            unprivileged.http("169.254.169.254", 80, "PUT", "/latest/api/token", [
                ["X-aws-ec2-metadata-token-ttl-seconds", "60"],
                ["Content-Length", "0"],
            ]);
        const pid = units.mainPid(agentUnit);
        await inNamespaceNow(ns.host, ["nft", "delete", "table", "inet", imdsLockTable]);
        assert.strictEqual((await imdsToken()).status, 200, "IMDS refused with the table gone");
        const eventsFrom = units.events.length;
        await syncStep(names);
        // The sync from its unit (the step's first) found the table gone and had it reloaded.
        assert.ok(units.events.slice(eventsFrom).includes(`run ${imdsLockUnit} ExecReload`));
        await units.untilJournal(
            profileSyncUnit,
            `the IMDS lock's table ${imdsLockTable} was gone: loaded it again`,
        );
        assert.strictEqual((await imdsToken()).status, 0, "IMDS answered an unprivileged UID");
        assert.strictEqual(units.mainPid(agentUnit), pid, "the agent was restarted");
    });

    it("day 2: a service removed, the sync step reloads the agent through systemctl; its token is refused, the rest proves", async () => {
        const [kept, removed] = names;
        const removedToken = tokenOf(removed);
        const pid = units.mainPid(agentUnit);
        const reloads = systemctl.calls.length;
        await labSays(`unprofile ${profilesPath} ${removed}`);
        await syncStep([kept]);
        const asked = systemctl.calls.slice(reloads).map((c) => c.join(" "));
        assert.ok(asked.includes(`reload ${agentUnit}.service`), asked.join("\n"));
        assert.strictEqual(units.mainPid(agentUnit), pid, "the agent was restarted, not reloaded");
        assert.ok(!fs.existsSync(hostPath(agentTokenFile(removed).slice(1))));
        const refused = await until("the removed token refused", async () => {
            const answer = await unprivileged.http(agentAddress, 80, "GET", "/v1/credentials", [
                ["Authorization", removedToken],
            ]);
            return answer.status === 403 ? answer : undefined;
        });
        assert.match(refused.body, /not any configured service's/);
        const { code, stderr, report } = await proveOverSsh(plan([kept]));
        assert.strictEqual(code, 0, stderr);
        assert.deepStrictEqual(
            report.services.map((s) => s.name),
            [kept],
        );
    });

    it("prove from the stack's outputs, over SSH as ec2-user with the pinned host key: the sync step, then the proof through the agent", async () => {
        const [kept] = names;
        const work = path.join(dir, "operator");
        fs.mkdirSync(work);
        const hostKey = fs
            .readFileSync(path.join(host.hostKeyDir, "ssh_host_ed25519_key.pub"), "utf8")
            .split(" ")
            .slice(0, 2)
            .join(" ");
        const proofTarget: ProofTarget = {
            transport: "ssh",
            instanceId: "i-0123456789abcdef0",
            region,
            plan: plan([kept]),
            propagationTimeoutSeconds: 5,
            profilesPath,
            publicIp: "127.0.0.1",
            sshUser: ec2User,
            hostKey,
        };
        const stackOutputs = {
            instanceId: proofTarget.instanceId,
            proofTarget,
            sshPrivateKey: fs.readFileSync(host.clientKeyPath, "utf8"),
        };
        const calls = systemctl.calls.length;
        // The operator's machine is outside the host: only the host's network is entered.
        const r = await runProcess(
            "ip",
            [
                ...["netns", "exec", ns.host, process.execPath, provePath],
                ...["--outputs", "-", "--ssh-port", String(host.port), "--json"],
            ],
            { PATH: process.env.PATH, HOME: work },
            240_000,
            JSON.stringify(stackOutputs),
        );
        outputs.push(r.stdout, r.stderr);
        assert.strictEqual(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout) as ProofReport;
        const steps = [...agentSteps, ...profileSteps];
        assert.deepStrictEqual(stepOutcomes(report, steps), [[kept, steps.map(() => true)]]);
        assert.strictEqual(report.imds?.refused, true);
        // Its sync step asked systemd for the sync's unit again.
        assert.ok(
            systemctl.calls
                .slice(calls)
                .some((c) => c.join(" ") === `start ${profileSyncUnit}.service`),
        );
    });
});
