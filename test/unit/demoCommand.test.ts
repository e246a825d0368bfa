// The demo shows the command a person would type (short), and the exact ~900-character line
// only with --full-command.
import * as assert from "assert";
import { execFileSync } from "child_process";

import { fullCommand, shortCommand } from "../../scripts/demoCommand";

const command = {
    bundle: "dist/verify.js",
    args: ["--targets", "-", "--session-name", "demo"],
    plan: JSON.stringify([
        { name: "service-a", roleArn: "arn:aws:iam::123456789012:role/a", bucket: "bucket-a" },
        { name: "service-b", roleArn: "arn:aws:iam::123456789012:role/b", bucket: "bucket-b" },
    ]),
    env: {
        PATH: "/usr/bin",
        HOME: "/tmp/rolepair-host-x",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:40123",
        AWS_ENDPOINT_URL: "http://127.0.0.1:40124",
    },
};

describe("the demo's command line", () => {
    it("by default is what a person would type: node, the bundle, the flags, the plan from a file", () => {
        assert.strictEqual(
            shortCommand(command),
            "node dist/verify.js --targets - --session-name demo < plan.json",
        );
    });

    it("with --full-command is the exact run: the plan echoed in and the emulator's environment", () => {
        const line = fullCommand(command);
        // The shell reads back the same plan and environment (sh prints each word on a line).
        const words = execFileSync(
            "sh",
            ["-c", `set -f; printf '%s\\n' ${line.replace(/\|/, "")}`],
            {
                encoding: "utf8",
            },
        ).split("\n");
        assert.strictEqual(words[1], command.plan);
        for (const [name, value] of Object.entries(command.env).filter(([n]) => n !== "PATH"))
            assert.ok(words.includes(`${name}=${value}`), name);
        assert.deepStrictEqual(
            words.slice(-6, -1),
            ["node", "dist/verify.js", ...command.args].slice(-5),
        );
    });
});
