// The profile sync agent's scripts (contract/profileSync.ts) run with bash, as the host runs
// them: the installer into a temporary root, the sync script writing into a temporary home, and
// the deploying side's "sync now" with its retries. Two doubles: the IMDSv2 double
// (lab/imds.ts) for the instance's region, and a stand-in for the AWS CLI's
// `ssm get-parameters-by-path` that logs its arguments and prints the answer the test wrote (the
// emulator layer, test/emulator/profileSync.test.ts, runs the real CLI against moto instead).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import {
    profileParameterName,
    profilesParameterPath,
    ProfilesPathError,
    profileSyncInstaller,
    profileSyncNow,
    profileSyncScript,
    profileSyncScriptPath,
    profileSyncUnit,
} from "../../../contract/profileSync";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { type Imds, startImds } from "../../../lab/imds";
import { type ProcessResult, runProcess } from "../../../lab/verifyProcess";

const region = "eu-west-3";
const profilesPath = profilesParameterPath("rolepair", "dev", "host");

const fakeAws = `#!/bin/bash
# Stands in for the AWS CLI's "ssm get-parameters-by-path": logs its arguments, fails the first
# FAKE_AWS_FAILURES calls as the CLI does on AccessDenied, then prints FAKE_AWS_ANSWER.
echo "$*" >>"$FAKE_AWS_DIR/calls"
calls=$(wc -l <"$FAKE_AWS_DIR/calls")
if [ "$calls" -le "\${FAKE_AWS_FAILURES:-0}" ]; then
  echo "An error occurred (AccessDeniedException) when calling the GetParametersByPath operation" >&2
  exit 254
fi
cat "$FAKE_AWS_DIR/answer"
`;

/** A profile's parameter value, as the component writes it. */
const block = (name: string, extra = "") =>
    `[profile ${name}]\nrole_arn = arn:aws:iam::123456789012:role/${name}\n${extra}`;

describe("profile sync agent scripts (bash, doubles for IMDSv2 and the AWS CLI)", function () {
    this.timeout(60_000);
    let imds: Imds;
    let root: string;
    let home: string;
    let awsDir: string;
    let env: NodeJS.ProcessEnv;
    const config = () => path.join(home, ".aws", "config");
    const calls = () => fs.readFileSync(path.join(awsDir, "calls"), "utf8").trimEnd().split("\n");

    function answer(parameters: { Name: string; Value: string }[]) {
        fs.writeFileSync(path.join(awsDir, "answer"), JSON.stringify({ Parameters: parameters }));
        fs.rmSync(path.join(awsDir, "calls"), { force: true });
    }
    const profiles = (...names: string[]) =>
        names.map((n) => ({ Name: profileParameterName(profilesPath, n), Value: block(n) }));

    const sync = (script = profileSyncScript(profilesPath)): Promise<ProcessResult> =>
        runProcess("bash", ["-c", script], env);

    before(async () => {
        imds = await startImds(
            "host-role",
            { accessKeyId: "AKIAFAKE", secretAccessKey: "x" },
            region,
        );
        root = makeTempDir("rolepair-root-");
        home = makeTempDir("rolepair-home-");
        awsDir = makeTempDir("rolepair-aws-");
        fs.writeFileSync(path.join(awsDir, "aws"), fakeAws, { mode: 0o755 });
        // The home belongs to ec2-user, not to root who runs the agent.
        fs.chownSync(home, 1000, 1001);
        env = {
            // A host's PATH (the system python3 as on Amazon Linux 2023, not a version manager's
            // shim, which costs a second a call) with the AWS CLI stand-in first.
            PATH: `${awsDir}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
            HOME: home,
            ROLEPAIR_HOST_ROOT: root,
            ROLEPAIR_HOST_HOME: home,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imds.endpoint}/`,
            FAKE_AWS_DIR: awsDir,
        };
    });
    // Each test starts from a home without ~/.aws (Stryker runs tests alone, in any subset).
    beforeEach(() => fs.rmSync(path.join(home, ".aws"), { recursive: true, force: true }));
    after(async () => {
        await imds?.stop();
        for (const dir of [root, home, awsDir]) if (dir) removeTempDir(dir);
    });

    it("installs the script (root, 755, runnable by itself) and its two units, and a second run changes nothing", async () => {
        const first = await runProcess("bash", ["-c", profileSyncInstaller(profilesPath)], env);
        assert.strictEqual(first.code, 0, first.stderr);
        const script = path.join(root, profileSyncScriptPath);
        assert.strictEqual(fs.readFileSync(script, "utf8"), profileSyncScript(profilesPath));
        assert.deepStrictEqual(
            [fs.statSync(script).mode & 0o777, fs.statSync(script).uid],
            [0o755, 0],
        );
        const units = path.join(root, "etc", "systemd", "system");
        const service = fs.readFileSync(path.join(units, `${profileSyncUnit}.service`), "utf8");
        assert.match(service, new RegExp(`^ExecStart=${profileSyncScriptPath}$`, "m"));
        assert.match(
            fs.readFileSync(path.join(units, `${profileSyncUnit}.timer`), "utf8"),
            /^OnUnitActiveSec=60s$/m,
        );
        assert.strictEqual(
            fs.statSync(path.join(units, `${profileSyncUnit}.timer`)).mode & 0o777,
            0o644,
        );

        // systemd's ExecStart runs the file itself: it must say which interpreter it needs.
        answer(profiles("service-a"));
        const direct = await runProcess(script, [], env);
        assert.strictEqual(direct.code, 0, direct.stderr);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-a"));

        const mtime = fs.statSync(script).mtimeMs;
        const again = await runProcess("bash", ["-c", profileSyncInstaller(profilesPath)], env);
        assert.strictEqual(again.code, 0, again.stderr);
        assert.strictEqual(fs.statSync(script).mtimeMs, mtime, "rewritten though unchanged");
    });

    it("asks for its own path in the instance's region, with an IMDSv2 token", async () => {
        answer(profiles("service-a"));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(calls(), [
            `ssm get-parameters-by-path --region ${region} --path ${profilesPath} --output json`,
        ]);
        assert.ok(imds.regionRequests > 0);
        assert.strictEqual(imds.v1Refused, 0);
    });

    it("writes every profile, sorted by parameter, mode 600, owned by the home's owner", async () => {
        answer(profiles("service-b", "service-a"));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(config(), "utf8"),
            `${block("service-a")}\n${block("service-b")}`,
        );
        const stat = fs.statSync(config());
        assert.deepStrictEqual([stat.mode & 0o777, stat.uid, stat.gid], [0o600, 1000, 1001]);
        assert.strictEqual(fs.statSync(path.join(home, ".aws")).mode & 0o777, 0o700);
        assert.strictEqual(
            r.stdout,
            `rolepair-sync-profiles: wrote ${config()} from ${profilesPath}\n`,
        );
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
    });

    it("leaves the file alone when nothing changed, and replaces it by rename when something did", async () => {
        answer(profiles("service-a", "service-b"));
        assert.strictEqual((await sync()).code, 0);
        const first = fs.statSync(config());
        const same = await sync();
        assert.strictEqual(same.code, 0, same.stderr);
        assert.strictEqual(same.stdout, "");
        assert.deepStrictEqual(
            [fs.statSync(config()).ino, fs.statSync(config()).mtimeMs],
            [first.ino, first.mtimeMs],
        );
        answer(profiles("service-a"));
        const changed = await sync();
        assert.strictEqual(changed.code, 0, changed.stderr);
        assert.notStrictEqual(fs.statSync(config()).ino, first.ino);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-a"));
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
    });

    const refusals: [string, { Name: string; Value: string }, RegExp][] = [
        [
            "a second section",
            { Name: `${profilesPath}/service-d`, Value: `${block("service-d")}[default]\nx = y\n` },
            /refused parameter \S+\/service-d: not one \[profile service-d\] block/,
        ],
        [
            "a block named after another profile",
            { Name: `${profilesPath}/service-d`, Value: block("service-a") },
            /refused parameter \S+\/service-d: not one \[profile service-d\] block/,
        ],
        [
            "a carriage return",
            { Name: `${profilesPath}/service-d`, Value: block("service-d", "x = y\r\n") },
            /refused parameter \S+\/service-d: not one \[profile service-d\] block/,
        ],
        [
            "a parameter outside its path",
            { Name: "/rolepair/rolepair/dev/other/profiles/service-d", Value: block("service-d") },
            /refused parameter \/rolepair\/rolepair\/dev\/other\/profiles\/service-d: not a profile under \/rolepair\/rolepair\/dev\/host\/profiles\//,
        ],
        [
            "a profile name AWS config would read otherwise",
            { Name: `${profilesPath}/a b`, Value: block("a b") },
            /refused parameter \S+\/a b: not a profile under/,
        ],
    ];
    for (const [label, parameter, message] of refusals) {
        it(`refuses ${label}, and keeps the file as it was`, async () => {
            answer(profiles("service-a"));
            assert.strictEqual((await sync()).code, 0);
            const before = fs.readFileSync(config(), "utf8");
            answer([...profiles("service-a"), parameter]);
            const r = await sync();
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, message);
            assert.strictEqual(fs.readFileSync(config(), "utf8"), before);
            assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
        });
    }

    it("keeps the file when there is no profile, or when AWS refuses the read", async () => {
        answer(profiles("service-a"));
        assert.strictEqual((await sync()).code, 0);
        const before = fs.readFileSync(config(), "utf8");
        answer([]);
        const none = await sync();
        assert.notStrictEqual(none.code, 0);
        assert.match(
            none.stderr,
            /no profile under \/rolepair\/rolepair\/dev\/host\/profiles\/; the config file is kept/,
        );
        answer(profiles("service-z"));
        const denied = await runProcess("bash", ["-c", profileSyncScript(profilesPath)], {
            ...env,
            FAKE_AWS_FAILURES: "1",
        });
        assert.notStrictEqual(denied.code, 0);
        assert.match(denied.stderr, /AccessDeniedException/);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), before);
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
    });

    it("sync now: installs the agent, retries a failing sync, and ends with the sync's result", async () => {
        const freshRoot = makeTempDir("rolepair-root-");
        try {
            answer(profiles("service-c"));
            const retried = await runProcess("bash", ["-c", profileSyncNow(profilesPath, 3, 0)], {
                ...env,
                ROLEPAIR_HOST_ROOT: freshRoot,
                FAKE_AWS_FAILURES: "2",
            });
            assert.strictEqual(retried.code, 0, retried.stderr);
            assert.strictEqual(calls().length, 3);
            assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-c"));
            assert.ok(fs.existsSync(path.join(freshRoot, profileSyncScriptPath)));

            answer(profiles("service-d"));
            const failed = await runProcess("bash", ["-c", profileSyncNow(profilesPath, 2, 0)], {
                ...env,
                ROLEPAIR_HOST_ROOT: freshRoot,
                FAKE_AWS_FAILURES: "5",
            });
            assert.strictEqual(failed.code, 1);
            assert.strictEqual(calls().length, 2);
            assert.match(
                failed.stderr,
                /rolepair: the profile sync failed 2 times; its last log lines:/,
            );
            assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-c"));
        } finally {
            removeTempDir(freshRoot);
        }
    });

    it("refuses a path that is not a plain parameter path before it reaches a root script", () => {
        for (const bad of ["", "rolepair/x", "/rolepair/x;rm -rf /", "/rolepair//x", "/a/$(id)"]) {
            for (const build of [profileSyncScript, profileSyncInstaller, profileSyncNow]) {
                assert.throws(
                    () => build(bad),
                    (e: Error) =>
                        e.message === `profile sync: refused parameter path ${JSON.stringify(bad)}`,
                    bad,
                );
            }
        }
    });
});

describe("the host's profiles parameter path", () => {
    it("is /rolepair/<project>/<stack>/<component name>/profiles, each one profile under it", () => {
        assert.strictEqual(profilesPath, "/rolepair/rolepair/dev/host/profiles");
        assert.strictEqual(
            profileParameterName(profilesPath, "svc"),
            "/rolepair/rolepair/dev/host/profiles/svc",
        );
        const longest = profilesParameterPath("p".repeat(200), "s".repeat(200), "c".repeat(200));
        assert.strictEqual(longest.length, 621);
    });

    it("names the part, the value and what is accepted when SSM would refuse it", () => {
        for (const [project, stack, component, part, value] of [
            ["my project", "dev", "host", "project", "my project"],
            ["p", "", "host", "stack", ""],
            ["p", "dev", "c".repeat(201), "component name", "c".repeat(201)],
            ["p", "dev", "host/x", "component name", "host/x"],
        ]) {
            assert.throws(
                () => profilesParameterPath(project, stack, component),
                (e: unknown) =>
                    e instanceof ProfilesPathError &&
                    e.name === "ProfilesPathError" &&
                    e.part === part &&
                    e.value === value &&
                    e.message ===
                        `${part} ${JSON.stringify(value)}: 1 to 200 characters of letters, digits, '_', '.' and '-' (it names the host's SSM parameter path)`,
            );
        }
    });
});
