// The profile sync (contract/profileSync.ts installs it, verify/host/profileSync is the program)
// run as the host runs it: the installer with bash into a temporary root, the installed program
// with node writing into a temporary home, and the deploying side's "sync now" with its retries.
// Two doubles: the IMDSv2 double (lab/imds.ts) for the instance's region, and a stand-in for the
// AWS CLI's `ssm get-parameters-by-path` that logs its arguments and prints the answer the test
// wrote (the emulator layer, test/emulator/profileSync.test.ts, runs the real CLI against moto).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";

import {
    agentProgramPath,
    agentServicesFile,
    agentTokenFile,
} from "../../../contract/credentialAgent";
import { maxServicesPerHost } from "../../../contract/plan";
import {
    hostConfigFile,
    profileParameterName,
    profilesParameterPath,
    ProfilesPathError,
    profileSyncArgs,
    profileSyncInstaller,
    profileSyncNow,
    profileSyncProgramPath,
    profileSyncUnit,
} from "../../../contract/profileSync";
import { profileSyncProgram } from "../../../contract/profileSyncProgram";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { type Imds, startImds } from "../../../lab/imds";
import { type ProcessResult, runProcess } from "../../../lab/verifyProcess";
import { accountExists, expectAccounts, removeTestAccounts } from "../../support/localAccounts";

const region = "eu-west-3";
const profilesPath = profilesParameterPath("rolepair", "dev", "host");
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

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

/** A profile's parameter value, as the component writes it (written out, not computed). */
const value = (name: string) => `{"v":1,"roleArn":"${roleArn(name)}","region":"${region}"}`;
/** The block the host must render for value(name). */
const block = (name: string) =>
    `[profile ${name}]\nrole_arn = ${roleArn(name)}\ncredential_source = Ec2InstanceMetadata\nregion = ${region}\n`;

describe("profile sync program (node; doubles for IMDSv2 and the AWS CLI)", function () {
    this.timeout(60_000);
    let imds: Imds;
    let root: string;
    let home: string;
    let awsDir: string;
    let env: NodeJS.ProcessEnv;
    const config = () => path.join(home, ".aws", "config");
    const calls = () => fs.readFileSync(path.join(awsDir, "calls"), "utf8").trimEnd().split("\n");

    function answer(parameters: { Name: string; Value: unknown }[]) {
        fs.writeFileSync(path.join(awsDir, "answer"), JSON.stringify({ Parameters: parameters }));
        fs.rmSync(path.join(awsDir, "calls"), { force: true });
    }
    const profiles = (...names: string[]) =>
        names.map((n) => ({ Name: profileParameterName(profilesPath, n), Value: value(n) }));

    const sync = (extra: NodeJS.ProcessEnv = {}): Promise<ProcessResult> =>
        runProcess(
            process.execPath,
            [path.join(root, profileSyncProgramPath), ...profileSyncArgs(profilesPath, config())],
            { ...env, ...extra },
        );

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
        // The home belongs to ec2-user, not to root who runs the sync.
        fs.chownSync(home, 1000, 1001);
        env = {
            PATH: `${awsDir}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
            HOME: home,
            ROLEPAIR_HOST_ROOT: root,
            ROLEPAIR_HOST_HOME: home,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imds.endpoint}/`,
            FAKE_AWS_DIR: awsDir,
        };
        const installed = await runProcess("bash", ["-c", profileSyncInstaller(profilesPath)], env);
        assert.strictEqual(installed.code, 0, installed.stderr);
    });
    // Each test starts from a home without ~/.aws (Stryker runs tests alone, in any subset).
    beforeEach(() => fs.rmSync(path.join(home, ".aws"), { recursive: true, force: true }));
    after(async () => {
        await imds?.stop();
        for (const dir of [root, home, awsDir]) if (dir) removeTempDir(dir);
    });

    it("installs the program (root, 644) and its two units with a timeout, removes the bash script of earlier hosts, and a second run changes nothing", async () => {
        const program = path.join(root, profileSyncProgramPath);
        assert.strictEqual(fs.readFileSync(program, "utf8"), profileSyncProgram());
        assert.deepStrictEqual(
            [fs.statSync(program).mode & 0o777, fs.statSync(program).uid],
            [0o644, 0],
        );
        const units = path.join(root, "etc", "systemd", "system");
        const service = fs.readFileSync(path.join(units, `${profileSyncUnit}.service`), "utf8");
        assert.match(
            service,
            new RegExp(
                `^ExecStart=/usr/local/bin/node ${profileSyncProgramPath} --path ${profilesPath} --config ${hostConfigFile}$`,
                "m",
            ),
        );
        assert.match(service, /^TimeoutStartSec=120$/m);
        assert.match(
            fs.readFileSync(path.join(units, `${profileSyncUnit}.timer`), "utf8"),
            /^OnUnitActiveSec=60s$/m,
        );

        // A host made with the bash sync: the same installer, run by the deploying side, retires it.
        const retired = path.join(root, "usr/local/libexec/rolepair-sync-profiles");
        fs.mkdirSync(path.dirname(retired), { recursive: true });
        fs.writeFileSync(retired, "#!/bin/bash\n", { mode: 0o755 });
        const mtime = fs.statSync(program).mtimeMs;
        const again = await runProcess("bash", ["-c", profileSyncInstaller(profilesPath)], env);
        assert.strictEqual(again.code, 0, again.stderr);
        assert.strictEqual(fs.statSync(program).mtimeMs, mtime, "rewritten though unchanged");
        assert.ok(!fs.existsSync(retired), "the bash sync script is still there");
    });

    it("the installer refuses a program that arrives damaged (its sha256 differs), and installs nothing", async () => {
        const other = gzipSync(Buffer.from("console.log(2)\n")).toString("base64");
        const script = profileSyncInstaller(profilesPath, "console.log(1)\n").replace(
            /(<<'ROLEPAIR_PROGRAM'[^\n]*\n)[^]*?(\nROLEPAIR_PROGRAM\n)/,
            `$1${other}$2`,
        );
        assert.ok(script.includes(other));
        const fresh = makeTempDir("rolepair-root-");
        try {
            const r = await runProcess("bash", ["-c", script], {
                ...env,
                ROLEPAIR_HOST_ROOT: fresh,
            });
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stderr, /the profile sync program arrived damaged; not installed/);
            assert.ok(!fs.existsSync(path.join(fresh, profileSyncProgramPath)));
        } finally {
            removeTempDir(fresh);
        }
    });

    it("asks for its own path in the instance's region (IMDSv2 token), at most one more than the service cap", async () => {
        answer(profiles("service-a"));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(calls(), [
            `ssm get-parameters-by-path --path ${profilesPath} --region ${region} --max-items ${maxServicesPerHost + 1} --output json`,
        ]);
        assert.ok(imds.regionRequests > 0);
        assert.strictEqual(imds.v1Refused, 0);
    });

    it("writes every profile, sorted by name, mode 600, owned by the home's owner", async () => {
        answer(profiles("service-b", "service-a"));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            fs.readFileSync(config(), "utf8"),
            `${block("service-a")}\n${block("service-b")}`,
        );
        const stat = fs.statSync(config());
        assert.deepStrictEqual([stat.mode & 0o777, stat.uid, stat.gid], [0o600, 1000, 1001]);
        const dir = fs.statSync(path.join(home, ".aws"));
        assert.deepStrictEqual([dir.mode & 0o777, dir.uid, dir.gid], [0o700, 1000, 1001]);
        assert.strictEqual(
            r.stderr,
            `rolepair-profile-sync: wrote ${config()} from ${profilesPath} (profiles: service-a, service-b)\n`,
        );
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
    });

    it(`writes all ${maxServicesPerHost} profiles a host may have, and refuses one more, keeping the file`, async () => {
        const names = Array.from({ length: maxServicesPerHost + 1 }, (_, i) => `s${100 + i}`);
        answer(profiles(...names.slice(0, maxServicesPerHost)));
        const r = await sync();
        assert.strictEqual(r.code, 0, r.stderr);
        const written = fs.readFileSync(config(), "utf8");
        assert.strictEqual(written, names.slice(0, maxServicesPerHost).map(block).join("\n"));
        answer(profiles(...names));
        const over = await sync();
        assert.strictEqual(over.code, 1);
        assert.match(over.stderr, /holds more than 50 parameters \(maxServicesPerHost\)/);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), written);
    });

    it("leaves the file alone when nothing changed, and replaces it by rename when something did", async () => {
        answer(profiles("service-a", "service-b"));
        assert.strictEqual((await sync()).code, 0);
        const first = fs.statSync(config());
        const same = await sync();
        assert.strictEqual(same.code, 0, same.stderr);
        assert.match(same.stderr, /is up to date/);
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

    const named = (name: string, v: unknown) => ({ Name: `${profilesPath}/${name}`, Value: v });
    const refusals: [string, { Name: string; Value: unknown }, RegExp][] = [
        [
            "config text that hides a [default] (the issue's value)",
            named("zzz", "[profile zzz]\n [default]\ncredential_process = /path/evil.sh\n"),
            /parameter \S+\/zzz: its value is not JSON/,
        ],
        [
            "a profile named default",
            named("default", value("x")),
            /parameter \S+\/default: profile name "default": expected .*, except default: the SDKs and the CLI use the default profile/,
        ],
        [
            "a profile named __proto__",
            named("__proto__", value("x")),
            /parameter \S+\/__proto__: profile name "__proto__": expected .*, except __proto__/,
        ],
        [
            "a key outside the allow-list",
            named(
                "service-d",
                `{"v":1,"roleArn":"${roleArn("x")}","region":"${region}","credential_process":"sh"}`,
            ),
            /parameter \S+\/service-d: unknown key "credential_process"; accepted: v, roleArn, region, externalId/,
        ],
        [
            "a line break in a value",
            named(
                "service-d",
                `{"v":1,"roleArn":"${roleArn("x")}\\n[default]","region":"${region}"}`,
            ),
            /parameter \S+\/service-d: roleArn .*: expected an IAM role ARN/,
        ],
        [
            "an ExternalId out of its rule, without quoting it",
            named(
                "service-d",
                `{"v":1,"roleArn":"${roleArn("x")}","region":"${region}","externalId":"secret\\nx"}`,
            ),
            /parameter \S+\/service-d: externalId: expected 2 to 1224/,
        ],
        [
            "a format version it does not know",
            named("service-d", `{"v":2,"roleArn":"${roleArn("x")}","region":"${region}"}`),
            /parameter \S+\/service-d: v is 2; expected 1/,
        ],
        [
            "a value over 4 KB",
            named(
                "service-d",
                `{"v":1,"roleArn":"${roleArn("x")}","region":"${region}"}${" ".repeat(4096)}`,
            ),
            /parameter \S+\/service-d: its value has 4\d{3} characters; expected at most 4096/,
        ],
        [
            "a JSON value that is not an object",
            named("service-d", "[1]"),
            /parameter \S+\/service-d: its value is \[1\]; expected a JSON object/,
        ],
        [
            "a parameter outside its path",
            { Name: "/rolepair/rolepair/dev/other/profiles/service-d", Value: value("service-d") },
            /parameter \/rolepair\/rolepair\/dev\/other\/profiles\/service-d: not under \/rolepair\/rolepair\/dev\/host\/profiles/,
        ],
        [
            "a profile name AWS config would read otherwise",
            named("a b", value("x")),
            /parameter \S+\/a b: profile name "a b": expected 1 to 64 characters/,
        ],
    ];
    for (const [label, parameter, message] of refusals) {
        it(`skips ${label} with one line, and writes the others (exit 1)`, async () => {
            answer([...profiles("service-a"), parameter, ...profiles("service-b")]);
            const r = await sync();
            assert.strictEqual(r.code, 1, r.stderr);
            const lines = r.stderr.trimEnd().split("\n");
            assert.strictEqual(lines.length, 2, r.stderr);
            assert.match(lines[0], /^rolepair-profile-sync: refused /);
            assert.match(lines[0], message);
            assert.ok(!r.stderr.includes("secret"), "an ExternalId was quoted");
            assert.strictEqual(
                fs.readFileSync(config(), "utf8"),
                `${block("service-a")}\n${block("service-b")}`,
            );
            assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
        });
    }

    it("keeps the file when there is no parameter (exit 1), or when AWS refuses the read (exit 3)", async () => {
        answer(profiles("service-a"));
        assert.strictEqual((await sync()).code, 0);
        const before = fs.readFileSync(config(), "utf8");
        answer([]);
        const none = await sync();
        assert.strictEqual(none.code, 1);
        assert.match(
            none.stderr,
            /no parameter under \/rolepair\/rolepair\/dev\/host\/profiles; \S+ is kept/,
        );
        answer(profiles("service-z"));
        const denied = await sync({ FAKE_AWS_FAILURES: "1" });
        assert.strictEqual(denied.code, 3);
        assert.match(denied.stderr, /AccessDeniedException/);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), before);
        assert.deepStrictEqual(fs.readdirSync(path.join(home, ".aws")), ["config"]);
    });

    it("refuses usage errors with exit 2, naming the flag", async () => {
        const program = path.join(root, profileSyncProgramPath);
        for (const [args, message] of [
            [
                ["--path", "/a/../b", "--config", config()],
                /--path "\/a\/\.\.\/b": expected an SSM path/,
            ],
            [
                ["--path", profilesPath, "--config", "relative"],
                /--config "relative": expected an absolute path/,
            ],
            [
                ["--path", profilesPath, "--config", config(), "--region", "us-east-1\nx"],
                /--region "us-east-1\\nx": expected an AWS region/,
            ],
            [["--path", profilesPath], /^rolepair-profile-sync: Usage:/],
        ] as [string[], RegExp][]) {
            const r = await runProcess(process.execPath, [program, ...args], env);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.match(r.stderr, message);
        }
    });

    it("--profiles (the deploy's plan) writes only those: a removed service's parameter, still in SSM, is left out", async () => {
        answer(profiles("service-a", "service-c", "service-d"));
        const planned = await runProcess(
            process.execPath,
            [
                path.join(root, profileSyncProgramPath),
                ...profileSyncArgs(profilesPath, config()),
                "--profiles",
                "service-a,service-d",
            ],
            env,
        );
        assert.strictEqual(planned.code, 0, planned.stderr);
        assert.strictEqual(
            fs.readFileSync(config(), "utf8"),
            `${block("service-a")}\n${block("service-d")}`,
        );
        assert.match(
            planned.stderr,
            /^rolepair-profile-sync: left out profiles not in the deploy's plan: service-c \(their parameters are deleted after the proof\)$/m,
        );
        // The timer's sync (no --profiles) still writes every profile under the path.
        assert.strictEqual((await sync()).code, 0);
        assert.match(fs.readFileSync(config(), "utf8"), /^\[profile service-c\]$/m);

        // The deploying side's sync passes the plan; a name that is not a profile is refused first.
        answer(profiles("service-a", "service-c"));
        const now = await runProcess(
            "bash",
            [
                "-c",
                profileSyncNow(profilesPath, {
                    attempts: 1,
                    pauseSeconds: 0,
                    profiles: ["service-a"],
                }),
            ],
            env,
        );
        assert.strictEqual(now.code, 0, now.stderr);
        assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-a"));
        assert.throws(
            () =>
                profileSyncNow(profilesPath, { attempts: 1, pauseSeconds: 0, profiles: ["a;id"] }),
            /refused profile name "a;id"/,
        );
        const bad = await runProcess(
            process.execPath,
            [
                path.join(root, profileSyncProgramPath),
                ...profileSyncArgs(profilesPath, config()),
                "--profiles",
                "service-a,default",
            ],
            env,
        );
        assert.strictEqual(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /--profiles "service-a,default": expected 1 to 50 profile names/);
    });

    it("sync now: installs the program, retries a failing sync, and ends with the sync's result", async () => {
        const freshRoot = makeTempDir("rolepair-root-");
        try {
            answer(profiles("service-c"));
            const retried = await runProcess(
                "bash",
                ["-c", profileSyncNow(profilesPath, { attempts: 3, pauseSeconds: 0 })],
                {
                    ...env,
                    ROLEPAIR_HOST_ROOT: freshRoot,
                    FAKE_AWS_FAILURES: "2",
                },
            );
            assert.strictEqual(retried.code, 0, retried.stderr);
            assert.strictEqual(calls().length, 3);
            assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-c"));
            assert.ok(fs.existsSync(path.join(freshRoot, profileSyncProgramPath)));

            answer(profiles("service-d"));
            const failed = await runProcess(
                "bash",
                ["-c", profileSyncNow(profilesPath, { attempts: 2, pauseSeconds: 0 })],
                {
                    ...env,
                    ROLEPAIR_HOST_ROOT: freshRoot,
                    FAKE_AWS_FAILURES: "5",
                },
            );
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

    it("sync now with the credential agent: installs its files, and the sync makes and later removes its user's group, token and services file (real groupadd, rolepair-test-*)", async () => {
        const freshRoot = makeTempDir("rolepair-root-");
        expectAccounts("user", "rolepair-test-agent");
        expectAccounts("group", "rolepair-test-agent", "rolepair-test-sync");
        try {
            const agentValue = `{"v":1,"roleArn":"${roleArn("test-sync")}","region":"${region}","agent":{"users":["rolepair-test-nobody"]}}`;
            answer([
                { Name: profileParameterName(profilesPath, "test-sync"), Value: agentValue },
                ...profiles("service-c"),
            ]);
            // Larger than one argument may be: bash reads it from a file, as from stdin over SSH.
            const script = path.join(freshRoot, "rolepair-sync-now.sh");
            fs.writeFileSync(
                script,
                profileSyncNow(profilesPath, {
                    credentialAgent: true,
                    attempts: 1,
                    pauseSeconds: 0,
                }),
            );
            const agentEnv = {
                ...env,
                ROLEPAIR_HOST_ROOT: freshRoot,
                ROLEPAIR_AGENT_USER: "rolepair-test-agent",
            };
            const on = await runProcess("bash", [script], agentEnv);
            assert.strictEqual(on.code, 0, on.stderr);
            assert.ok(fs.existsSync(path.join(freshRoot, agentProgramPath)));
            assert.strictEqual(
                fs.readFileSync(config(), "utf8"),
                `${block("service-c")}\n[profile test-sync]\ncredential_process = /usr/local/bin/node ${agentProgramPath} --print-credentials --token-file ${agentTokenFile("test-sync")}\nregion = ${region}\n`,
            );
            const tokenFile = path.join(freshRoot, agentTokenFile("test-sync"));
            const token = fs.readFileSync(tokenFile, "utf8").trim();
            assert.match(token, /^[0-9a-f]{64}$/);
            assert.ok(!on.stderr.includes(token), "the sync printed the token");
            assert.deepStrictEqual(
                JSON.parse(fs.readFileSync(path.join(freshRoot, agentServicesFile), "utf8")),
                {
                    region,
                    services: [{ name: "test-sync", roleArn: roleArn("test-sync"), tokenFile }],
                },
            );
            assert.ok(accountExists("group", "rolepair-test-sync"));
            assert.match(
                on.stderr,
                /service test-sync: no such user on this host, not put in rolepair-test-sync: rolepair-test-nobody/,
            );
            assert.match(on.stderr, /no systemd here: the lock and the agent were not started/);

            // Its parameter in a format this sync does not read (a newer package's, say): refused,
            // and the agent left as it is, its token kept.
            answer([
                {
                    Name: profileParameterName(profilesPath, "test-sync"),
                    Value: agentValue.replace('"v":1', '"v":2'),
                },
                ...profiles("service-c"),
            ]);
            const refused = await runProcess("bash", [script], agentEnv);
            assert.strictEqual(refused.code, 1, refused.stderr);
            assert.match(refused.stderr, /refused parameter \S+\/test-sync: /);
            assert.match(refused.stderr, /credential agent left as it is: .*\(test-sync\)/);
            assert.strictEqual(fs.readFileSync(tokenFile, "utf8").trim(), token);
            assert.ok(accountExists("group", "rolepair-test-sync"));

            answer(profiles("service-c"));
            const off = await runProcess("bash", [script], agentEnv);
            assert.strictEqual(off.code, 0, off.stderr);
            assert.ok(!fs.existsSync(path.join(freshRoot, "etc", "rolepair")));
            assert.ok(!accountExists("group", "rolepair-test-sync"));
            assert.strictEqual(fs.readFileSync(config(), "utf8"), block("service-c"));
        } finally {
            removeTempDir(freshRoot);
            removeTestAccounts();
        }
    });

    it("refuses a path that is not a plain parameter path before it reaches a root script", () => {
        for (const bad of ["", "rolepair/x", "/rolepair/x;rm -rf /", "/rolepair//x", "/a/$(id)"]) {
            for (const build of [profileSyncInstaller, profileSyncNow]) {
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
