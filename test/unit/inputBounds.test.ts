// Hostile values the components must refuse before any AWS resource: a component name that reads
// as a path step in the host's SSM path, and a region that is too long, holds a newline, or comes
// from the default provider's settings rather than the stack config index.ts reads.
import * as assert from "assert";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { SharedDevHost } from "../../components/sharedDevHost";
import { checkRegion } from "../../components/validation";
import { profilesParameterPath, ProfilesPathError } from "../../contract/profileSync";
import { regionPattern } from "../../contract/region";
import { runMocked } from "../../lab/pulumiMocks";
import { baseArgs } from "../support/component";

/** The component's error, and how many AWS resources were registered before it. */
async function refusal(
    build: () => unknown,
    config: Record<string, string> = {},
): Promise<{ message: string; awsResources: number }> {
    const run = await runMocked("test", config, async () => {
        try {
            build();
        } catch (error) {
            return { error };
        }
        return {};
    });
    const error = (run.loaded as { error?: Error }).error;
    assert.ok(error, "the component must throw");
    return {
        message: error.message,
        awsResources: run.resources.filter((r) => r.type.startsWith("aws:")).length,
    };
}

describe("hostile component names and regions", () => {
    it('refuses "." and ".." as a component name: they would be steps in the SSM path', async () => {
        for (const name of [".", "..", "..."]) {
            assert.throws(
                () => profilesParameterPath("p", "dev", name),
                (e: unknown) =>
                    e instanceof ProfilesPathError &&
                    e.part === "component name" &&
                    /not only dots/.test(e.message),
            );
            const pair = await refusal(() => new AssumableRolePair(name, baseArgs));
            assert.match(
                pair.message,
                new RegExp(
                    `^Invalid name: ${JSON.stringify(name).replace(/\./g, "\\.")}\\. Accepted: a name with a letter, digit`,
                ),
            );
            assert.strictEqual(pair.awsResources, 0);
            const shared = await refusal(
                () =>
                    new SharedDevHost(name, {
                        ...baseArgs,
                        services: { "service-a": {} },
                    }),
            );
            assert.match(shared.message, /^Invalid name: "\.+"\. Accepted: a name with a letter/);
        }
        // A dot inside a name is still a name.
        assert.strictEqual(
            profilesParameterPath("p", "dev", "a.b"),
            "/rolepair/p/dev/a.b/profiles",
        );
    });

    it("refuses a 300-character region and one with a newline, everywhere a region is read", () => {
        const long = `us-${"east".repeat(74)}-1`;
        assert.strictEqual(long.length, 301);
        for (const bad of [long, "us-east-1\nx", "us-east-1\n", "x\nus-east-1"]) {
            assert.strictEqual(regionPattern.test(bad), false, JSON.stringify(bad));
            assert.throws(() => checkRegion("aws:region", bad), /^InputError: Invalid aws:region/);
        }
        for (const good of ["us-east-1", "us-gov-west-1", "ap-southeast-2", "us-isob-east-1"]) {
            assert.strictEqual(regionPattern.test(good), true, good);
            assert.strictEqual(checkRegion("aws:region", good), good);
        }
    });

    it("refuses the default provider's bad region before any AWS resource, from config or environment", async () => {
        const fromConfig = await refusal(() => new AssumableRolePair("pair", baseArgs), {
            "aws:region": "us-east-1\nx",
        });
        assert.match(
            fromConfig.message,
            /^Invalid aws:region: "us-east-1\\nx"\. Accepted: an AWS region/,
        );
        assert.strictEqual(fromConfig.awsResources, 0);

        const saved = process.env.AWS_REGION;
        process.env.AWS_REGION = "x".repeat(300);
        try {
            const fromEnv = await refusal(() => new AssumableRolePair("pair", baseArgs));
            assert.match(
                fromEnv.message,
                /^Invalid AWS_REGION: "x{300}"\. Accepted: an AWS region/,
            );
            assert.strictEqual(fromEnv.awsResources, 0);
        } finally {
            if (saved === undefined) delete process.env.AWS_REGION;
            else process.env.AWS_REGION = saved;
        }
    });
});
