// Every built bin (dist/*.js, as npm ships them) ends with the one exit code of its cause
// (verify/cli/exitCodes.ts): a bad flag 2; no credentials, or nothing listening where AWS or the
// agent should be, 3. Runs in an empty environment with instance metadata off and every AWS
// endpoint on a closed loopback port, so nothing leaves the machine whatever the caller's setup.
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { runProcess } from "../../../lab/verifyProcess";
import { exitCodes } from "../../../verify/cli/exitCodes";

const root = path.resolve(__dirname, "../../..");
const bins = ["verify", "prove", "ssm-runner", "host-key", "profile-sync", "credential-agent"];
const bundle = (bin: string) => path.join(root, "dist", `${bin}.js`);

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

describe("every bin: one exit code per cause (built bundles)", function () {
    this.timeout(120_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let closed: number;
    before(async function () {
        const missing = bins.filter((bin) => !fs.existsSync(bundle(bin)));
        if (missing.length > 0)
            throw new Error(`${missing.join(", ")} not built: run "npm run build" first`);
        dir = makeTempDir("rolepair-exit-codes-");
        closed = await closedPort();
        env = {
            HOME: dir,
            PATH: path.dirname(process.execPath),
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: path.join(dir, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
            AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
            AWS_MAX_ATTEMPTS: "1",
        };
    });
    after(() => removeTempDir(dir));

    const run = (bin: string, args: string[], extra: NodeJS.ProcessEnv = {}, stdin?: string) =>
        runProcess(process.execPath, [bundle(bin), ...args], { ...env, ...extra }, 60_000, stdin);
    const instance = ["--instance-id", "i-0123456789abcdef0", "--region", "us-east-1"];
    const plan = JSON.stringify([
        { name: "a", roleArn: "arn:aws:iam::123456789012:role/a", bucket: "rolepair-bucket-a" },
    ]);
    const fakeKeys = {
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "x".repeat(40),
    };

    for (const bin of bins) {
        it(`${bin}: an unknown flag is a usage error (${exitCodes.usage}) with the usage text`, async () => {
            const r = await run(bin, ["--no-such-flag", "x"]);
            assert.strictEqual(r.code, exitCodes.usage, r.stderr);
            assert.match(r.stderr, /--no-such-flag/);
            assert.match(r.stderr, /Usage: /);
        });
    }

    it("verify: no credentials is could-not-run (3), not a failed proof", async () => {
        const r = await run("verify", [
            "--bucket",
            "rolepair-bucket-a",
            "--role-arn",
            "arn:aws:iam::123456789012:role/a",
            "--region",
            "us-east-1",
        ]);
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stdout + r.stderr);
        assert.match(r.stdout, /CredentialsProviderError/);
        assert.match(r.stdout, /\nCOULD NOT RUN: /);
    });

    it("verify: AWS unreachable is could-not-run (3)", async () => {
        const r = await run(
            "verify",
            ["--targets", "-", "--region", "us-east-1", "--json"],
            fakeKeys,
            plan,
        );
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stderr);
        assert.strictEqual(JSON.parse(r.stdout).unreachable, true);
    });

    it("ssm-runner: no credentials is could-not-run (3)", async () => {
        const r = await run("ssm-runner", instance, {}, plan);
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stderr);
        assert.match(r.stderr, /no credentials from the default chain/);
    });

    it("host-key: no credentials is could-not-run (3)", async () => {
        const r = await run("host-key", [...instance, "--timeout", "1"]);
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stderr);
        assert.match(r.stderr, /CredentialsProviderError|credentials/);
    });

    it("prove: no credentials (SSM transport) is could-not-run (3)", async () => {
        const outputs = path.join(dir, "outputs.json");
        fs.writeFileSync(
            outputs,
            JSON.stringify({
                proofTarget: {
                    transport: "ssm",
                    instanceId: "i-0123456789abcdef0",
                    region: "us-east-1",
                    profilesPath: "/rolepair/p/dev/host/profiles",
                    propagationTimeoutSeconds: 5,
                    plan: JSON.parse(plan),
                },
            }),
        );
        const r = await run("prove", ["--outputs", outputs, "--online-timeout", "1"]);
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stderr);
        assert.match(r.stderr, /credentials/i);
    });

    it("profile-sync: no region is could-not-run (3); SSM unreadable too", async () => {
        const args = ["--path", "/rolepair/p/dev/host/profiles", "--config", `${dir}/aws/config`];
        const noRegion = await run("profile-sync", args);
        assert.strictEqual(noRegion.code, exitCodes.couldNotRun, noRegion.stderr);
        assert.match(noRegion.stderr, /no region/);
        // No AWS CLI on this PATH: the parameters cannot be read.
        const unread = await run("profile-sync", [...args, "--region", "us-east-1"]);
        assert.strictEqual(unread.code, exitCodes.couldNotRun, unread.stderr);
        assert.match(unread.stderr, /could not read \/rolepair\/p\/dev\/host\/profiles from SSM/);
    });

    it("credential-agent: no agent to ask is could-not-run (3); a bad services file is usage (2)", async () => {
        const token = path.join(dir, "token");
        fs.writeFileSync(token, "t".repeat(64), { mode: 0o600 });
        const r = await run("credential-agent", [
            "--print-credentials",
            "--token-file",
            token,
            "--agent",
            `http://127.0.0.1:${closed}/`,
        ]);
        assert.strictEqual(r.code, exitCodes.couldNotRun, r.stderr);
        const services = path.join(dir, "services.json");
        fs.writeFileSync(services, "not json");
        const bad = await run("credential-agent", [
            "--services",
            services,
            "--listen",
            "127.0.0.1:0",
        ]);
        assert.strictEqual(bad.code, exitCodes.usage, bad.stderr);
        assert.match(bad.stderr, /--services /);
    });
});
