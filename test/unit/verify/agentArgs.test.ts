// verify's credential agent inputs: a plan target's `agent` flag, --agent-url and --agent-token-dir.
import * as assert from "assert";

import { parseArgs } from "../../../verify/host/proof/args";
import { agentUrlFlag } from "../../../verify/host/proof/flagValues";
import { validatePlan } from "../../../contract/plan";
import { UsageError, UsageErrors } from "../../../contract/usageError";

const target = {
    name: "service-a",
    roleArn: "arn:aws:iam::123456789012:role/service-a",
    bucket: "bucket-a",
};

function usageErrors(run: () => unknown): string[] {
    try {
        run();
    } catch (error) {
        if (error instanceof UsageErrors) return error.errors.map((e) => e.message);
        if (error instanceof UsageError) return [error.message];
        throw error;
    }
    return [];
}

describe("verify's credential agent inputs", () => {
    it("takes agent: true or false on a plan target, and nothing else", () => {
        assert.deepStrictEqual(validatePlan([{ ...target, agent: true }]), [
            { ...target, agent: true },
        ]);
        assert.deepStrictEqual(validatePlan([{ ...target, agent: false }]), [target]);
        assert.deepStrictEqual(
            usageErrors(() =>
                validatePlan([
                    { ...target, agent: "true" },
                    { ...target, name: "service-b", agent: 1 },
                    { ...target, name: "service-c", agent: null },
                ]),
            ),
            [
                '--targets[0].agent: got "true"; expected true or false',
                "--targets[1].agent: got 1; expected true or false",
                "--targets[2].agent: got null; expected true or false",
            ],
        );
    });

    it("takes --agent-url over plain HTTP on loopback or the agents' link-local addresses", () => {
        for (const url of [
            "http://127.0.0.1:8080/v1/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://169.254.170.2/v2/credentials",
            "http://localhost:1/x",
            "http://[::1]:9/v1/credentials",
        ]) {
            assert.strictEqual(agentUrlFlag(url), url);
        }
        const accepted =
            "expected an http:// URL on a loopback address, 169.254.170.23 or 169.254.170.2, without user, query or fragment";
        for (const url of [
            "https://127.0.0.1/v1/credentials",
            "http://10.0.0.1/v1/credentials",
            "http://169.254.169.254/latest",
            "http://user:pw@127.0.0.1/v1/credentials",
            "http://127.0.0.1/v1/credentials?role=x",
            "http://127.0.0.1/v1/credentials#x",
            "not a url",
        ]) {
            assert.deepStrictEqual(
                usageErrors(() => agentUrlFlag(url)),
                [`--agent-url: got ${JSON.stringify(url)}; ${accepted}`],
            );
        }
    });

    it("passes --agent-url and --agent-token-dir to the proof, and names bad ones", () => {
        const argv = [
            "--bucket",
            "bucket-a",
            "--role-arn",
            target.roleArn,
            "--region",
            "eu-west-1",
        ];
        const options = parseArgs(
            [
                ...argv,
                "--agent-url",
                "http://127.0.0.1:1/v1/credentials",
                "--agent-token-dir",
                "/tmp/t",
            ],
            {},
        );
        assert.strictEqual(options.agentUrl, "http://127.0.0.1:1/v1/credentials");
        assert.strictEqual(options.agentTokenDir, "/tmp/t");
        const defaults = parseArgs(argv, {});
        assert.strictEqual(defaults.agentUrl, undefined);
        assert.strictEqual(defaults.agentTokenDir, undefined);
        assert.deepStrictEqual(
            usageErrors(() =>
                parseArgs(
                    [...argv, "--agent-url", "http://8.8.8.8/", "--agent-token-dir", "tokens"],
                    {},
                ),
            ),
            [
                '--agent-url: got "http://8.8.8.8/"; expected an http:// URL on a loopback address, 169.254.170.23 or 169.254.170.2, without user, query or fragment',
                '--agent-token-dir: got "tokens"; expected an absolute directory path',
            ],
        );
    });
});
