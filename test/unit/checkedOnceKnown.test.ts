// Inputs that are another resource's output (a subnet, an address) are checked once known, inside
// an apply. A failed check there reaches the Node SDK's handler for unhandled rejections, which
// formats the error with util.inspect(error, { colors: true }) (@pulumi/pulumi cmd/run/error.ts).
// On Node 20.20 that call never ends for a stack frame that ts-node's source maps name
// node_modules/@pulumi/output.ts (nodejs/node#64011): the plugin spun for 30 to 190 s and grew to
// 3.5 GB before `pulumi up` reported the bad subnetId (test/engine's
// TestUnknownSubnetIsValidatedWhenKnown). Mocha runs under ts-node as the plugin does, so the
// frames here are mapped the same way.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { inspect } from "util";

import { validateHostSettings } from "../../components/hostSettings";
import { promiseOf, runMocked } from "../../lab/pulumiMocks";

async function failedCheck(input: "subnetId" | "sshIngressCidr", value: string): Promise<Error> {
    const run = await runMocked("test", {}, async () => {
        const settings = validateHostSettings({
            sshIngressCidr: "203.0.113.7/32",
            [input]: pulumi.output(value),
        });
        try {
            await promiseOf(
                pulumi.output(
                    input === "subnetId"
                        ? settings.subnetId
                        : settings.proof?.transport === "ssh"
                          ? settings.proof.ingressCidr
                          : undefined,
                ),
            );
        } catch (error) {
            return { error };
        }
        return {};
    });
    const error = (run.loaded as { error?: Error }).error;
    assert.ok(error instanceof Error, `a bad ${input} known later must fail its output`);
    return error;
}

describe("inputs checked once known", () => {
    for (const [input, value, accepted] of [
        ["subnetId", "sn-not-a-subnet", "a subnet id such as subnet-0123456789abcdef0"],
        ["sshIngressCidr", "203.0.113.7", "an IPv4 CIDR"],
    ] as const) {
        it(`a bad ${input} fails with an error the SDK can print`, async () => {
            const error = await failedCheck(input, value);
            assert.match(
                error.message,
                new RegExp(`^Invalid ${input}: "${value}"\\. Accepted: ${accepted}`),
            );
            // Its frames would be the SDK's apply machinery only, never the caller's program.
            assert.doesNotMatch(
                String(error.stack),
                /\n\s+at /,
                "the error still carries stack frames",
            );
            // What the SDK's handler prints: the message, in a bounded string.
            const printed = inspect(error, { colors: true });
            assert.ok(printed.length < 4000, `printed ${printed.length} characters`);
            assert.ok(printed.includes(`Invalid ${input}`), printed);
        });
    }
});
