// The credential agent put on a host by the deploying side's "sync now" and served from what it
// installed: profileSyncNow({credentialAgent: true}) run with bash into a stand-in root, the sync
// reading a profile with `agent` from moto's SSM (the real AWS CLI, IAM enforcement on), making
// the agent's user, the service's group and token (real useradd/groupadd, rolepair-test-*), then
// the installed agent program run as that user against the IMDSv2 double and moto's STS: the
// token yields the service's role; with no token, nothing; once the service loses `agent`, its
// token is refused without restarting the agent; with no agent profile, its files are gone.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import * as assert from "assert";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { agentTokenFile } from "../../contract/credentialAgent";
import { profilesParameterPath, profileSyncNow } from "../../contract/profileSync";
import { makeTempDir, removeTempDir, stopGroup } from "../../lab/cleanup";
import { Imds, startImds } from "../../lab/imds";
import { Moto, region, startMoto } from "../../lab/moto";
import { agentEnv, grantProfilesRead, putProfile, requireAwsCli } from "../../lab/profileHost";
import { createScenario, type Scenario } from "../../lab/scenario";
import { runProcess } from "../../lab/verifyProcess";
import {
    accountEntry,
    accountExists,
    expectAccounts,
    makeTestUser,
    removeTestAccounts,
} from "../support/localAccounts";
import { getCredentials, startInstalledAgent, until } from "../support/installedAgent";

const agentUser = "rolepair-test-agent";
const alice = "rolepair-test-alice";
const service = "test-svc";

describe("credential agent from the sync's installed files (moto SSM + STS, real useradd)", function () {
    this.timeout(120_000);
    let moto: Moto;
    let scenario: Scenario;
    let imds: Imds;
    let root: string;
    let home: string;
    let env: NodeJS.ProcessEnv;
    let agent: ChildProcess | undefined;
    const profilesPath = profilesParameterPath("rolepair", "dev", `agent${process.pid}`);
    const at = (hostPath: string) => path.join(root, hostPath);

    const syncNow = async () => {
        // Larger than one argument may be: bash reads it from a file, as from stdin over SSH.
        const script = path.join(home, "rolepair-sync-now.sh");
        fs.writeFileSync(
            script,
            profileSyncNow(profilesPath, { credentialAgent: true, attempts: 3, pauseSeconds: 1 }),
        );
        const result = await runProcess("bash", [script], env);
        assert.strictEqual(result.code, 0, result.stderr);
        return result;
    };

    before(async () => {
        requireAwsCli();
        expectAccounts("user", agentUser);
        expectAccounts("group", agentUser, `rolepair-${service}`);
        makeTestUser(alice);
        moto = await startMoto();
        scenario = await createScenario(moto, "correct");
        await grantProfilesRead(moto, scenario.hostRoleName);
        imds = await startImds(scenario.hostRoleName, scenario.hostCredentials, region);
        root = makeTempDir("rolepair-root-");
        // The agent's user must get to the installed files, as it does to / on a host.
        fs.chmodSync(root, 0o755);
        home = makeTempDir("rolepair-home-");
        env = {
            ...agentEnv(moto, imds.endpoint, root, home),
            ROLEPAIR_AGENT_USER: agentUser,
        };
    });
    after(async () => {
        if (agent !== undefined) await stopGroup(agent);
        await imds?.stop();
        await moto?.stop();
        if (root) removeTempDir(root);
        if (home) removeTempDir(home);
        removeTestAccounts();
    });

    it("gives the service's role to its token's holder, nothing without it, and refuses the token once the service loses the agent", async () => {
        await putProfile(moto, profilesPath, {
            name: service,
            roleArn: scenario.targetRoleArn,
            region,
            agent: { users: [alice] },
        });
        const on = await syncNow();
        assert.deepStrictEqual(
            (accountEntry("group", `rolepair-${service}`)?.[3] ?? "").split(","),
            [alice],
        );
        const token = fs.readFileSync(at(agentTokenFile(service)), "utf8").trim();
        assert.ok(!on.stderr.includes(token), "the sync printed the token");

        const started = await startInstalledAgent(root, agentUser, {
            imdsEndpoint: imds.endpoint,
            awsEndpoint: moto.endpoint,
        });
        agent = started.process;
        const port = started.port;
        const answer = await until("the agent's answer", async () => {
            const r = await getCredentials(port, { Authorization: token });
            return r.status === 200 ? r : undefined;
        });
        const credentials = JSON.parse(answer.body) as Record<string, string>;
        const sts = new STSClient({
            endpoint: moto.endpoint,
            region,
            credentials: {
                accessKeyId: credentials.AccessKeyId,
                secretAccessKey: credentials.SecretAccessKey,
                sessionToken: credentials.Token,
            },
        });
        const identity = await sts.send(new GetCallerIdentityCommand({}));
        const roleName = scenario.targetRoleArn.split("/").pop() as string;
        assert.match(identity.Arn ?? "", new RegExp(`:assumed-role/${roleName}/`));
        assert.strictEqual((await getCredentials(port, {})).status, 401);

        // The service keeps its profile but not the agent: the sync rewrites the services file
        // without it, which the agent picks up on its own; the agent stays up for the others.
        await putProfile(moto, profilesPath, {
            name: "test-other",
            roleArn: scenario.targetRoleArn,
            region,
            agent: { users: [] },
        });
        await putProfile(moto, profilesPath, {
            name: service,
            roleArn: scenario.targetRoleArn,
            region,
        });
        expectAccounts("group", "rolepair-test-other");
        await syncNow();
        assert.ok(!fs.existsSync(at(agentTokenFile(service))));
        assert.ok(!accountExists("group", `rolepair-${service}`));
        const refused = await until("the removed token refused", async () => {
            const r = await getCredentials(port, { Authorization: token });
            return r.status === 200 ? undefined : r;
        });
        assert.ok([401, 403].includes(refused.status), `${refused.status} ${refused.body}`);
        assert.strictEqual(agent.exitCode, null, "the agent stopped");
        // No profile has the agent any more: the sync takes its files and groups away.
        await putProfile(moto, profilesPath, {
            name: "test-other",
            roleArn: scenario.targetRoleArn,
            region,
        });
        await syncNow();
        assert.ok(!fs.existsSync(at("/etc/rolepair")));
        assert.ok(!accountExists("group", "rolepair-test-other"));
        const log = started.log.join("");
        for (const secret of [token, credentials.SecretAccessKey, credentials.Token]) {
            assert.ok(!log.includes(secret), "the agent printed a secret");
        }
    });
});
