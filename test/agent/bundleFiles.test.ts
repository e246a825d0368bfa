// The real bundle (dist/credential-agent.js on plain node) refuses a bad services file before it
// listens: non-zero exit, one line naming the key, and never the token it read.
import * as assert from "assert";
import { execFile } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../../lab/cleanup";
import { exitCodes } from "../../verify/cli/exitCodes";

const bundle = path.resolve(__dirname, "../../dist/credential-agent.js");

function runAgent(file: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    return new Promise((resolve) => {
        const child = execFile(
            process.execPath,
            [bundle, "--services", file, "--listen", "127.0.0.1:0"],
            { env: { PATH: process.env.PATH }, timeout: 20_000 },
            (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
    });
}

describe("credential agent bundle: bad services files", () => {
    let dir: string;
    const token = randomBytes(32).toString("base64url");
    before(() => {
        dir = makeTempDir("rolepair-agentfiles-");
        fs.writeFileSync(path.join(dir, "a.token"), token);
        fs.writeFileSync(path.join(dir, "b.token"), `${token}b`);
    });
    after(() => removeTempDir(dir));

    const service = (name: string, file: string, roleArn?: string) => ({
        name,
        roleArn: roleArn ?? `arn:aws:iam::123456789012:role/${name}`,
        tokenFile: file,
    });
    const cases: [string, (d: string) => string, RegExp][] = [
        ["not JSON", () => "{ region: ", /\(file\): not JSON/],
        [
            "a missing region",
            (d) => JSON.stringify({ services: [service("a", `${d}/a.token`)] }),
            /region: missing/,
        ],
        [
            "a malformed roleArn",
            (d) =>
                JSON.stringify({
                    region: "us-east-1",
                    services: [
                        service("a", `${d}/a.token`),
                        service("b", `${d}/b.token`, "role-b"),
                    ],
                }),
            /services\[1\]\.roleArn: "role-b" is not/,
        ],
        [
            "a duplicate name",
            (d) =>
                JSON.stringify({
                    region: "us-east-1",
                    services: [service("a", `${d}/a.token`), service("a", `${d}/b.token`)],
                }),
            /services\[1\]\.name: "a" is already services\[0\]\.name/,
        ],
        [
            "an unreadable token file",
            (d) =>
                JSON.stringify({
                    region: "us-east-1",
                    services: [service("a", `${d}/missing.token`)],
                }),
            /services\[0\]\.tokenFile: token file .* cannot be read \(ENOENT\)/,
        ],
        [
            "an unknown key",
            (d) =>
                JSON.stringify({
                    region: "us-east-1",
                    services: [{ ...service("a", `${d}/a.token`), role: "x" }],
                }),
            /services\[0\]\.role: unknown key/,
        ],
    ];
    for (const [what, content, message] of cases) {
        it(`exits 2 (usage) on ${what}, naming the key`, async () => {
            const file = path.join(dir, "services.json");
            fs.writeFileSync(file, content(dir));
            const result = await runAgent(file);
            assert.strictEqual(result.code, exitCodes.usage, result.stderr);
            assert.match(result.stderr, message);
            assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
            assert.ok(!result.stderr.includes(token), "the token in the output");
            assert.strictEqual(result.stdout, "");
        });
    }

    it("starts on a good file (so the cases above fail for their own reason)", async () => {
        const file = path.join(dir, "good.json");
        fs.writeFileSync(
            file,
            JSON.stringify({ region: "us-east-1", services: [service("a", `${dir}/a.token`)] }),
        );
        const child = spawnGroup(
            process.execPath,
            [bundle, "--services", file, "--listen", "127.0.0.1:0"],
            { env: { PATH: process.env.PATH }, stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr!.on("data", (c) => (stderr += c));
        const end = Date.now() + 20_000;
        while (!stderr.includes("listening on") && child.exitCode === null && Date.now() < end)
            await new Promise((r) => setTimeout(r, 50));
        await stopGroup(child);
        assert.match(stderr, /listening on 127\.0\.0\.1:\d+; services a/);
        assert.ok(!stderr.includes(token));
    });
});
