// The host's profile sync agent run for real: the installer into a temporary root, then the
// agent's script with the AWS CLI against moto (GetParametersByPath with IAM enforcement on), the
// host role's credentials from the IMDSv2 double, writing into a temporary home.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { awsConfigFile } from "../../components/userData";
import { profilesParameterPath, profileSyncScriptPath } from "../../contract/profileSync";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { Imds, startImds } from "../../lab/imds";
import { accountId, Moto, region, startMoto } from "../../lab/moto";
import {
    agentEnv,
    deleteProfile,
    grantProfilesRead,
    installAgent,
    makeHostRoot,
    putProfile,
    putRawParameter,
    requireAwsCli,
    runAgent,
} from "../../lab/profileHost";
import { createHost, type Host, nextScenarioId } from "../../lab/scenario";
import { runProcess } from "../../lab/verifyProcess";

const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const profile = (name: string, externalId?: string) => ({
    profileName: name,
    targetRoleArn: role(`${name}-role`),
    region,
    ...(externalId !== undefined ? { externalId } : {}),
});

describe("profile sync agent against SSM Parameter Store (moto)", () => {
    let moto: Moto;
    let host: Host;
    let imds: Imds;
    let root: string;
    let home: string;
    let env: NodeJS.ProcessEnv;
    const profilesPath = profilesParameterPath("rolepair", "dev", `host${process.pid}`);
    const otherPath = profilesParameterPath("rolepair", "dev", `other${process.pid}`);
    const configFile = () => path.join(home, ".aws", "config");

    before(async () => {
        requireAwsCli();
        moto = await startMoto();
        host = await createHost(moto, nextScenarioId());
        await grantProfilesRead(moto, host.hostRoleName);
        imds = await startImds(host.hostRoleName, host.hostCredentials, region);
        root = makeHostRoot();
        home = makeTempDir("rolepair-home-");
        env = agentEnv(moto, imds.endpoint, root, home);
        const installed = await installAgent(env, profilesPath);
        assert.strictEqual(installed.code, 0, installed.stderr);
        // What a user keeps in ~/.aws beside the config: the agent must not touch it.
        fs.mkdirSync(path.join(home, ".aws", "cli", "cache"), { recursive: true });
        fs.writeFileSync(path.join(home, ".aws", "credentials"), "[personal]\n");
        fs.writeFileSync(path.join(home, ".aws", "cli", "cache", "x.json"), "{}");
    });
    after(async () => {
        await imds?.stop();
        await moto?.stop();
        if (root) removeTempDir(root);
        if (home) removeTempDir(home);
    });

    it("installs a root-owned script (mode 755) and its two units, and changes nothing on a second run", async () => {
        const script = path.join(root, profileSyncScriptPath);
        assert.strictEqual(fs.statSync(script).mode & 0o777, 0o755);
        assert.strictEqual(fs.statSync(script).uid, 0);
        const units = path.join(root, "etc", "systemd", "system");
        assert.deepStrictEqual(fs.readdirSync(units).sort(), [
            "rolepair-profiles.service",
            "rolepair-profiles.timer",
        ]);
        const before = fs.statSync(script).mtimeMs;
        const again = await installAgent(env, profilesPath);
        assert.strictEqual(again.code, 0, again.stderr);
        assert.strictEqual(fs.statSync(script).mtimeMs, before, "rewritten though unchanged");
    });

    it("writes every profile of its path, sorted, mode 600, owned by the home's owner; nothing else in ~/.aws changes", async () => {
        const untouched = ["credentials", "cli/cache/x.json"].map((f) => {
            const stat = fs.statSync(path.join(home, ".aws", f));
            return [f, stat.mtimeMs, stat.ino];
        });
        await putProfile(moto, profilesPath, profile("service-b", "ext-b-1"));
        await putProfile(moto, profilesPath, profile("service-a"));
        await putProfile(moto, otherPath, profile("someone-else"));
        const r = await runAgent(env);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(configFile(), "utf8"),
            awsConfigFile([profile("service-a"), profile("service-b", "ext-b-1")]),
        );
        const stat = fs.statSync(configFile());
        assert.strictEqual(stat.mode & 0o777, 0o600);
        assert.deepStrictEqual(
            [stat.uid, stat.gid],
            [fs.statSync(home).uid, fs.statSync(home).gid],
        );
        for (const [f, mtime, ino] of untouched) {
            const now = fs.statSync(path.join(home, ".aws", f as string));
            assert.deepStrictEqual([now.mtimeMs, now.ino], [mtime, ino], `${f} was touched`);
        }
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")).sort(), [
            "cli",
            "config",
            "credentials",
        ]);
    });

    it("leaves the file alone when nothing changed, and replaces it by rename when something did", async () => {
        const first = fs.statSync(configFile());
        const same = await runAgent(env);
        assert.strictEqual(same.code, 0, same.stderr);
        const unchanged = fs.statSync(configFile());
        assert.deepStrictEqual([unchanged.ino, unchanged.mtimeMs], [first.ino, first.mtimeMs]);

        await putProfile(moto, profilesPath, profile("service-b", "ext-b-2"));
        const changed = await runAgent(env);
        assert.strictEqual(changed.code, 0, changed.stderr);
        // A new inode: the old file was never rewritten in place (a reader sees old or new, whole).
        assert.notStrictEqual(fs.statSync(configFile()).ino, first.ino);
        assert.match(fs.readFileSync(configFile(), "utf8"), /external_id = ext-b-2\n/);
        assert.strictEqual(fs.statSync(configFile()).mode & 0o777, 0o600);
    });

    it("drops a removed service's profile", async () => {
        await putProfile(moto, profilesPath, profile("service-c"));
        await deleteProfile(moto, profilesPath, "service-b");
        const r = await runAgent(env);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(configFile(), "utf8"),
            awsConfigFile([profile("service-a"), profile("service-c")]),
        );
    });

    it("refuses a parameter that would add a section of its own, and keeps the file", async () => {
        const before = fs.readFileSync(configFile(), "utf8");
        await putRawParameter(
            moto,
            `${profilesPath}/service-d`,
            "[profile service-d]\nrole_arn = x\n[profile service-a]\ncredential_process = sh\n",
        );
        const r = await runAgent(env);
        assert.notStrictEqual(r.code, 0);
        assert.match(
            r.stderr,
            /refused parameter \S+service-d: not one \[profile service-d\] block/,
        );
        assert.strictEqual(fs.readFileSync(configFile(), "utf8"), before);
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")).sort(), [
            "cli",
            "config",
            "credentials",
        ]);
        await deleteProfile(moto, profilesPath, "service-d");
    });

    it("a host role without the read permission gets AccessDenied, and the file is kept", async () => {
        const before = fs.readFileSync(configFile(), "utf8");
        const bare = await createHost(moto, nextScenarioId());
        const bareImds = await startImds(bare.hostRoleName, bare.hostCredentials, region);
        try {
            const r = await runAgent(agentEnv(moto, bareImds.endpoint, root, home));
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /AccessDenied/);
            assert.strictEqual(fs.readFileSync(configFile(), "utf8"), before);
            assert.ok(bareImds.credentialRequests > 0, "the agent used the instance's credentials");
        } finally {
            await bareImds.stop();
        }
    });

    it("needs its IMDSv2 token: it never asks IMDS without one", async () => {
        assert.ok(imds.regionRequests > 0);
        assert.strictEqual(imds.v1Refused, 0);
        const version = await runProcess("aws", ["--version"], env);
        assert.strictEqual(version.code, 0, version.stderr);
    });
});
