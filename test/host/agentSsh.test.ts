// The credential agent put on an SSH host as the deploying side puts it: profileSyncNow with
// {credentialAgent: true} sent on stdin to profileSyncRemoteCommand through a real sshd (the
// components' SSH step), the sync reading a profile with `agent` from moto's SSM with the real AWS
// CLI, making the agent's user and the service's group (real useradd/groupadd, rolepair-test-*)
// in a stand-in root. Then the installed agent, run as its user, answers the profile's
// credential_process run over SSH as a member of the service's group; a user outside the group
// cannot read the token. No systemd here: the sync says so and starts no unit.
import * as assert from "assert";
import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { agentProgramPath, agentTokenFile } from "../../contract/credentialAgent";
import {
    profileSyncNow,
    profileSyncRemoteCommand,
    profilesParameterPath,
} from "../../contract/profileSync";
import { stopGroup } from "../../lab/cleanup";
import { region } from "../../lab/moto";
import {
    deleteProfile,
    putProfile,
    startProfiledHost,
    venvBin,
    type ProfiledHost,
} from "../../lab/profileHost";
import { startSshHost, type SshHost } from "../../lab/sshd";
import {
    accountEntry,
    expectAccounts,
    makeTestUser,
    removeTestAccounts,
} from "../support/localAccounts";
import { startInstalledAgent, until } from "../support/installedAgent";

const agentUser = "rolepair-test-agent";
const member = "rolepair-test-carol";
const outsider = "rolepair-test-dave";
const service = "test-ssh";
/** What the client passes (ssh needs one variable; the host's own come from sshd's SetEnv). */
const quiet = { NODE_NO_WARNINGS: "1" };

describe("credential agent installed over SSH by sync now (real sshd, moto)", function () {
    this.timeout(120_000);
    let profiled: ProfiledHost;
    let host: SshHost;
    let agent: ChildProcess | undefined;
    const profilesPath = profilesParameterPath("rolepair", "dev", `agentssh${process.pid}`);

    before(async () => {
        expectAccounts("user", agentUser);
        expectAccounts("group", agentUser, `rolepair-${service}`);
        makeTestUser(member);
        makeTestUser(outsider);
        profiled = await startProfiledHost(profilesPath);
        // The agent's user and the group's members must get to the installed files, as to / on a host.
        fs.chmodSync(profiled.root, 0o755);
        const { moto, imds, root } = profiled;
        host = await startSshHost({
            sessionEnv: {
                HOME: "/home/ec2-user",
                PATH: `${venvBin}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
                ROLEPAIR_HOST_ROOT: root,
                ROLEPAIR_HOST_HOME: "/home/ec2-user",
                ROLEPAIR_AGENT_USER: agentUser,
                AWS_CONFIG_FILE: "/home/ec2-user/no-config-file",
                AWS_SHARED_CREDENTIALS_FILE: "/home/ec2-user/no-credentials-file",
                AWS_ENDPOINT_URL: moto.endpoint,
                AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
                AWS_EC2_METADATA_V1_DISABLED: "true",
                NODE_NO_WARNINGS: "1",
            },
        });
    });
    after(async () => {
        if (agent !== undefined) await stopGroup(agent);
        await host?.stop();
        await profiled?.stop();
        removeTestAccounts();
    });

    it("installs the agent and its service's token; a group member's credential_process gets the role, an outsider cannot read the token", async () => {
        const { moto, imds, root, scenario } = profiled;
        await deleteProfile(moto, profilesPath, "target");
        await putProfile(moto, profilesPath, {
            name: service,
            roleArn: scenario.targetRoleArn,
            region,
            agent: { users: [member] },
        });
        const script = profileSyncNow(profilesPath, {
            credentialAgent: true,
            attempts: 3,
            pauseSeconds: 1,
        });
        const synced = await host.run(profileSyncRemoteCommand, quiet, script);
        assert.strictEqual(synced.code, 0, synced.stderr);
        assert.match(synced.stderr, /no systemd here: the lock and the agent were not started/);
        assert.ok(fs.existsSync(path.join(root, agentProgramPath)));
        assert.deepStrictEqual(accountEntry("group", `rolepair-${service}`)?.[3], member);
        const token = fs.readFileSync(path.join(root, agentTokenFile(service)), "utf8").trim();
        assert.ok(!synced.stderr.includes(token) && !synced.stdout.includes(token));

        const started = await startInstalledAgent(root, agentUser, {
            imdsEndpoint: imds.endpoint,
            awsEndpoint: moto.endpoint,
        });
        agent = started.process;
        // The profile's credential_process, pointed at the test's port, as the group's member.
        const credentialProcess = (user: string) =>
            [
                "setpriv",
                `--reuid=${user}`,
                `--regid=${user}`,
                "--init-groups",
                "node",
                path.join(root, agentProgramPath),
                "--print-credentials",
                "--token-file",
                path.join(root, agentTokenFile(service)),
                "--agent",
                `http://127.0.0.1:${started.port}/v1/credentials`,
            ].join(" ");
        const printed = await until("the member's credentials", async () => {
            const r = await host.run(credentialProcess(member), quiet);
            return r.code === 0 ? r : undefined;
        });
        const credentials = JSON.parse(printed.stdout) as Record<string, unknown>;
        assert.deepStrictEqual(
            [credentials.Version, typeof credentials.AccessKeyId, typeof credentials.Expiration],
            [1, "string", "string"],
        );
        const refused = await host.run(credentialProcess(outsider), quiet);
        assert.notStrictEqual(refused.code, 0);
        assert.match(refused.stderr, /EACCES|permission denied/i);
        const log = started.log.join("");
        for (const secret of [
            token,
            String(credentials.SecretAccessKey),
            String(credentials.SessionToken),
        ]) {
            assert.ok(!log.includes(secret), "the agent printed a secret");
            assert.ok(!refused.stderr.includes(secret), "the refusal printed a secret");
        }
    });
});
