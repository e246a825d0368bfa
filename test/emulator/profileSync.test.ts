// The host's profile sync program run for real: the installer into a temporary root, then the
// installed program with the AWS CLI against moto (GetParametersByPath with IAM enforcement on),
// the host role's credentials from the IMDSv2 double, writing into a temporary home. Expected
// files are written out literally, not computed by the product.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { profileParameterName, profilesParameterPath } from "../../contract/profileSync";
import { profileSyncProgramPath } from "../../contract/profileSync";
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

const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const profile = (name: string, externalId?: string) => ({
    name,
    roleArn: role(`${name}-role`),
    region,
    ...(externalId !== undefined ? { externalId } : {}),
});
/** The block the host must render for `profile(name, externalId)`, written out by hand. */
const block = (name: string, externalId?: string) =>
    `[profile ${name}]\nrole_arn = arn:aws:iam::${accountId}:role/${name}-role\n` +
    `credential_source = Ec2InstanceMetadata\nregion = ${region}\n` +
    (externalId !== undefined ? `external_id = ${externalId}\n` : "");

describe("profile sync program against SSM Parameter Store (moto)", function () {
    this.timeout(60_000);
    let moto: Moto;
    let host: Host;
    let imds: Imds;
    let root: string;
    let home: string;
    let env: NodeJS.ProcessEnv;
    const profilesPath = profilesParameterPath("rolepair", "dev", `host${process.pid}`);
    const otherPath = profilesParameterPath("rolepair", "dev", `other${process.pid}`);
    const configFile = () => path.join(home, ".aws", "config");
    const sync = (environment = env) => runAgent(environment, profilesPath);
    const withHome = async (check: (home: string) => Promise<void>) => {
        const other = makeTempDir("rolepair-home-");
        try {
            await check(other);
        } finally {
            removeTempDir(other);
        }
    };

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
        // What a user keeps in ~/.aws beside the config: the sync must not touch it.
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

    it("installs a root-owned program (mode 644) and its two units, and changes nothing on a second run", async () => {
        const program = path.join(root, profileSyncProgramPath);
        assert.strictEqual(fs.statSync(program).mode & 0o777, 0o644);
        assert.strictEqual(fs.statSync(program).uid, 0);
        const units = path.join(root, "etc", "systemd", "system");
        assert.deepStrictEqual(fs.readdirSync(units).sort(), [
            "rolepair-profiles.service",
            "rolepair-profiles.timer",
        ]);
        const before = fs.statSync(program).mtimeMs;
        const again = await installAgent(env, profilesPath);
        assert.strictEqual(again.code, 0, again.stderr);
        assert.strictEqual(fs.statSync(program).mtimeMs, before, "rewritten though unchanged");
    });

    it("writes every profile of its path, sorted, mode 600, owned by ~/.aws's owner; nothing else in ~/.aws changes", async () => {
        const untouched = ["credentials", "cli/cache/x.json"].map((f) => {
            const stat = fs.statSync(path.join(home, ".aws", f));
            return [f, stat.mtimeMs, stat.ino];
        });
        await putProfile(moto, profilesPath, profile("service-b", "ext-b-1"));
        await putProfile(moto, profilesPath, profile("service-a"));
        await putProfile(moto, otherPath, profile("someone-else"));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(configFile(), "utf8"),
            `${block("service-a")}\n${block("service-b", "ext-b-1")}`,
        );
        const stat = fs.statSync(configFile());
        assert.strictEqual(stat.mode & 0o777, 0o600);
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

    it("gives the file to the owner of ~/.aws (a user's uid), and makes ~/.aws for the home's owner", async () => {
        await withHome(async (other) => {
            fs.chownSync(other, 4242, 4343);
            const r = await sync(agentEnv(moto, imds.endpoint, root, other));
            assert.strictEqual(r.code, 0, r.stderr);
            const dir = fs.lstatSync(path.join(other, ".aws"));
            const file = fs.lstatSync(path.join(other, ".aws", "config"));
            assert.deepStrictEqual(
                [dir.isDirectory(), dir.mode & 0o777, dir.uid, dir.gid],
                [true, 0o700, 4242, 4343],
            );
            assert.deepStrictEqual(
                [file.isFile(), file.mode & 0o777, file.uid, file.gid],
                [true, 0o600, 4242, 4343],
            );
        });
    });

    it("leaves the file alone when nothing changed, and replaces it by rename when something did", async () => {
        const first = fs.statSync(configFile());
        const same = await sync();
        assert.strictEqual(same.code, 0, same.stderr);
        const unchanged = fs.statSync(configFile());
        assert.deepStrictEqual([unchanged.ino, unchanged.mtimeMs], [first.ino, first.mtimeMs]);

        await putProfile(moto, profilesPath, profile("service-b", "ext-b-2"));
        const changed = await sync();
        assert.strictEqual(changed.code, 0, changed.stderr);
        // A new inode: the old file was never rewritten in place (a reader sees old or new, whole).
        assert.notStrictEqual(fs.statSync(configFile()).ino, first.ino);
        assert.match(fs.readFileSync(configFile(), "utf8"), /external_id = ext-b-2\n/);
        assert.strictEqual(fs.statSync(configFile()).mode & 0o777, 0o600);
    });

    it("drops a removed service's profile", async () => {
        await putProfile(moto, profilesPath, profile("service-c"));
        await deleteProfile(moto, profilesPath, "service-b");
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(configFile(), "utf8"),
            `${block("service-a")}\n${block("service-c")}`,
        );
    });

    it("skips hostile parameters, one line each naming it and why, and writes the others", async () => {
        const hostile: [string, string, RegExp][] = [
            [
                "zzz",
                "[profile zzz]\n [default]\ncredential_process = /path/evil.sh\n",
                /zzz: its value is not JSON/,
            ],
            [
                "default",
                JSON.stringify({ v: 1, roleArn: role("x"), region }),
                /default: profile name "default": expected .*except default: the SDKs/,
            ],
            [
                "__proto__",
                JSON.stringify({ v: 1, roleArn: role("x"), region }),
                /__proto__: profile name "__proto__": expected .*except __proto__/,
            ],
            [
                "extra",
                JSON.stringify({ v: 1, roleArn: role("x"), region, credential_process: "sh" }),
                /extra: unknown key "credential_process"/,
            ],
            [
                "newline",
                JSON.stringify({ v: 1, roleArn: role("x"), region: `${region}\n[default]` }),
                /newline: region "us-east-1\\n\[default\]": expected an AWS region/,
            ],
        ];
        for (const [name, value] of hostile) {
            await putRawParameter(moto, profileParameterName(profilesPath, name), value);
        }
        try {
            const r = await sync();
            assert.strictEqual(r.code, 1, r.stderr);
            for (const [name, , why] of hostile) {
                const lines = r.stderr.split("\n").filter((l) => l.includes(`/${name}:`));
                assert.strictEqual(lines.length, 1, `${name}: ${r.stderr}`);
                assert.match(lines[0], /^rolepair-profile-sync: refused parameter /);
                assert.match(lines[0], why);
            }
            assert.strictEqual(
                fs.readFileSync(configFile(), "utf8"),
                `${block("service-a")}\n${block("service-c")}`,
            );
        } finally {
            for (const [name] of hostile) {
                await deleteProfile(moto, profilesPath, name);
            }
        }
    });

    it("writes all of 12 profiles (SSM answers 10 a page)", async () => {
        const names = Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`);
        await withHome(async (other) => {
            const manyPath = profilesParameterPath("rolepair", "dev", `many${process.pid}`);
            for (const name of names) await putProfile(moto, manyPath, profile(name));
            const r = await runAgent(agentEnv(moto, imds.endpoint, root, other), manyPath);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.strictEqual(
                fs.readFileSync(path.join(other, ".aws", "config"), "utf8"),
                names.map((n) => block(n)).join("\n"),
            );
        });
    });

    it("refuses a symbolic link at ~/.aws, and leaves its target as it was", async () => {
        await withHome(async (other) => {
            const target = makeTempDir("rolepair-target-");
            try {
                fs.chmodSync(target, 0o755);
                fs.chownSync(other, 4242, 4343);
                fs.symlinkSync(target, path.join(other, ".aws"));
                const r = await sync(agentEnv(moto, imds.endpoint, root, other));
                assert.strictEqual(r.code, 1, r.stderr);
                assert.match(r.stderr, /\.aws is a symbolic link; refused/);
                const stat = fs.statSync(target);
                assert.deepStrictEqual([stat.uid, stat.mode & 0o777], [0, 0o755]);
                assert.deepStrictEqual(fs.readdirSync(target), []);
            } finally {
                removeTempDir(target);
            }
        });
    });

    it("refuses a symbolic link at ~/.aws/config, and writes nothing through it", async () => {
        await withHome(async (other) => {
            const victim = path.join(root, "victim");
            fs.writeFileSync(victim, "root's own\n", { mode: 0o644 });
            fs.mkdirSync(path.join(other, ".aws"), { mode: 0o700 });
            fs.symlinkSync(victim, path.join(other, ".aws", "config"));
            const r = await sync(agentEnv(moto, imds.endpoint, root, other));
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stderr, /config is a symbolic link; refused/);
            assert.strictEqual(fs.readFileSync(victim, "utf8"), "root's own\n");
            assert.strictEqual(fs.statSync(victim).mode & 0o777, 0o644);
        });
    });

    it("refuses a FIFO at ~/.aws/config at once instead of hanging", async () => {
        await withHome(async (other) => {
            fs.mkdirSync(path.join(other, ".aws"), { mode: 0o700 });
            execFileSync("mkfifo", [path.join(other, ".aws", "config")]);
            const started = Date.now();
            const r = await sync(agentEnv(moto, imds.endpoint, root, other));
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stderr, /config is a FIFO; refused/);
            assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
        });
    });

    it("refuses a ~/.aws owned by someone other than the home's owner", async () => {
        await withHome(async (other) => {
            fs.chownSync(other, 4242, 4343);
            fs.mkdirSync(path.join(other, ".aws"), { mode: 0o700 });
            const r = await sync(agentEnv(moto, imds.endpoint, root, other));
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stderr, /\.aws is owned by uid 0, not by .*uid 4242\); refused/);
            assert.deepStrictEqual(fs.readdirSync(path.join(other, ".aws")), []);
        });
    });

    it("a host role without the read permission gets AccessDenied: exit 3 (SSM could not be read), and the file is kept", async () => {
        const before = fs.readFileSync(configFile(), "utf8");
        const bare = await createHost(moto, nextScenarioId());
        const bareImds = await startImds(bare.hostRoleName, bare.hostCredentials, region);
        try {
            const r = await sync(agentEnv(moto, bareImds.endpoint, root, home));
            assert.strictEqual(r.code, 3, r.stderr);
            assert.match(r.stderr, /AccessDenied/);
            assert.match(r.stderr, /config is kept/);
            assert.strictEqual(fs.readFileSync(configFile(), "utf8"), before);
            assert.ok(bareImds.credentialRequests > 0, "the sync used the instance's credentials");
        } finally {
            await bareImds.stop();
        }
    });

    it("SSM unreachable: exit 3 within its bound, and the file is kept", async () => {
        const before = fs.readFileSync(configFile(), "utf8");
        const unreachable = {
            ...env,
            AWS_ENDPOINT_URL: "http://127.0.0.1:9",
            AWS_MAX_ATTEMPTS: "1",
        };
        const r = await sync(unreachable);
        assert.strictEqual(r.code, 3, r.stderr);
        assert.match(r.stderr, /could not read .* from SSM: .*; \S+config is kept/);
        assert.strictEqual(fs.readFileSync(configFile(), "utf8"), before);
    });

    it("needs its IMDSv2 token: it never asks IMDS without one", async () => {
        assert.ok(imds.regionRequests > 0);
        assert.strictEqual(imds.v1Refused, 0);
        const version = spawnSync("aws", ["--version"], { env });
        assert.strictEqual(version.status, 0, String(version.stderr));
    });
});
