// Hostile inputs to the command lines, run as processes (ts-node, no build): a plan or stack
// outputs nested 10,000 deep, /dev/zero as an input file, a region with a newline. Each is a usage
// error (exit 2) naming the input, never a crash (exit 3) or a process that fills its memory.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "../../..");

/** Runs one CLI's TypeScript entry with `args`, stdin from `stdin` (a file path) or empty. */
function run(entry: string, args: string[], stdin?: string) {
    const input = stdin === undefined ? "ignore" : fs.openSync(stdin, "r");
    try {
        const result = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(root, entry), ...args],
            {
                cwd: root,
                stdio: [input, "pipe", "pipe"],
                encoding: "utf8",
                timeout: 60_000,
                // No credentials or endpoint of the caller's, and no instance metadata lookups.
                env: {
                    PATH: process.env.PATH,
                    HOME: os.tmpdir(),
                    AWS_EC2_METADATA_DISABLED: "true",
                },
            },
        );
        return { code: result.status, stderr: result.stderr };
    } finally {
        if (typeof input === "number") fs.closeSync(input);
    }
}

const prove = "verify/operator/prove/cli.ts";
const verify = "verify/host/proof/cli.ts";
const runner = "verify/operator/ssm/cli.ts";

describe("command lines refuse hostile input files with a usage error", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-cli-inputs-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
        const at = path.join(dir, name);
        fs.writeFileSync(at, text);
        return at;
    };
    const plan = JSON.stringify([
        { name: "a", roleArn: "arn:aws:iam::123456789012:role/a", bucket: "bucket-a" },
    ]);
    const outputs = (proofTarget: Record<string, unknown>) =>
        JSON.stringify({
            proofTarget: {
                transport: "ssm",
                instanceId: "i-0123456789abcdef0",
                region: "us-east-1",
                profilesPath: "/rolepair/p/dev/host/profiles",
                propagationTimeoutSeconds: 5,
                plan: JSON.parse(plan),
                ...proofTarget,
            },
        });

    it("prove: stack outputs whose plan nests 10,000 deep", () => {
        const deep = "[".repeat(10_000) + "]".repeat(10_000);
        const at = file("deep.json", outputs({}).replace(/"plan":\[.*\]\}\}$/, `"plan":${deep}}}`));
        const { code, stderr } = run(prove, ["--outputs", at]);
        assert.strictEqual(code, 2, stderr);
        assert.match(
            stderr,
            /^prove: --outputs .*deep\.json: nests arrays or objects more than 32 deep/,
        );
        assert.doesNotMatch(stderr, /call stack/);
    });

    it("prove, verify and the SSM runner: /dev/zero as the input", () => {
        const fromProve = run(prove, ["--outputs", "/dev/zero"]);
        assert.strictEqual(fromProve.code, 2, fromProve.stderr);
        assert.match(
            fromProve.stderr,
            /^prove: --outputs: cannot read \/dev\/zero: longer than 16777216 bytes, the most accepted here/,
        );
        const fromVerify = run(verify, ["--targets", "/dev/zero", "--region", "us-east-1"]);
        assert.strictEqual(fromVerify.code, 2, fromVerify.stderr);
        assert.match(
            fromVerify.stderr,
            /^verify: --targets: cannot read "\/dev\/zero": longer than 1048576 bytes, the most accepted here/,
        );
        const stdin = run(verify, ["--targets", "-", "--region", "us-east-1"], "/dev/zero");
        assert.strictEqual(stdin.code, 2, stdin.stderr);
        assert.match(
            stdin.stderr,
            /^verify: --targets: cannot read stdin: longer than 1048576 bytes/,
        );
        const fromRunner = run(
            runner,
            ["--instance-id", "i-0123456789abcdef0", "--region", "us-east-1"],
            "/dev/zero",
        );
        assert.strictEqual(fromRunner.code, 2, fromRunner.stderr);
        assert.match(fromRunner.stderr, /^ssm-runner: stdin: .*longer than 1048576 bytes/);
    });

    it('verify --region and the stack outputs\' region: "us-east-1\\nx"', () => {
        const targets = file("plan.json", plan);
        const fromVerify = run(verify, ["--targets", targets, "--region", "us-east-1\nx"]);
        assert.strictEqual(fromVerify.code, 2, fromVerify.stderr);
        assert.match(
            fromVerify.stderr,
            /^verify: --region: got "us-east-1\\nx"; expected a region such as us-east-1$/m,
        );
        const fromProve = run(prove, [
            "--outputs",
            file("region.json", outputs({ region: "us-east-1\nx" })),
        ]);
        assert.strictEqual(fromProve.code, 2, fromProve.stderr);
        assert.match(
            fromProve.stderr,
            /^prove: proofTarget\.region: "us-east-1\\nx" is not an AWS region$/m,
        );
    });
});
