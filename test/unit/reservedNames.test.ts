// Profile and service names the AWS SDKs treat specially are refused, naming the key and why.
// Which names are special is asked of the SDK's own config loader (the one every JavaScript
// process on the host uses), reading the very config file the host gets.
import { DEFAULT_PROFILE, loadSharedConfigFiles } from "@smithy/core/config";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { SharedDevHost } from "../../components/sharedDevHost";
import { renderProfilesConfig } from "../../contract/profileParameters";
import { reservedProfileNames } from "../../components/validation";
import { baseArgs } from "../support/component";
import { refusedConstruction, refusedProgram } from "../support/refusal";

const roleArn = "arn:aws:iam::123456789012:role/service";

/** What the SDK makes of a config file holding only our `[profile <name>]` block. */
async function sdkReading(name: string): Promise<"ordinary" | "special"> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-profile-"));
    try {
        const configFilepath = path.join(dir, "config");
        fs.writeFileSync(
            configFilepath,
            renderProfilesConfig([{ name, roleArn, region: "us-east-1" }]),
        );
        const { configFile } = await loadSharedConfigFiles({
            configFilepath,
            filepath: path.join(dir, "credentials"),
            ignoreCache: true,
        });
        // Ordinary: reachable by its own name, and not what a process without AWS_PROFILE uses.
        const own = Object.prototype.hasOwnProperty.call(configFile, name)
            ? configFile[name]
            : undefined;
        const usedWithoutAwsProfile = configFile[DEFAULT_PROFILE]?.role_arn === roleArn;
        return own?.role_arn === roleArn && !usedWithoutAwsProfile ? "ordinary" : "special";
    } catch {
        return "special";
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("reserved profile and service names", () => {
    it("refuses exactly the names the SDK's config loader treats specially", async () => {
        // The config file's section words, the CLI's own sections, and JavaScript's prototype names.
        const candidates = [
            "default",
            "__proto__",
            "sso-session",
            "services",
            "profile",
            "preview",
            "plugins",
            "constructor",
            "toString",
            "hasOwnProperty",
            "target",
        ];
        const special: string[] = [];
        for (const name of candidates) {
            if ((await sdkReading(name)) === "special") special.push(name);
        }
        assert.deepStrictEqual(special, [...reservedProfileNames.keys()]);
    });

    for (const name of reservedProfileNames.keys()) {
        it(`refuses awsProfileName ${name}, naming the key and why`, async () => {
            const result = await refusedConstruction(
                () => new AssumableRolePair("pair", { ...baseArgs, awsProfileName: name }),
            );
            assert.match(
                result.message,
                new RegExp(`^Invalid awsProfileName: "${name}"\\. Accepted: .*, except ${name}: `),
            );
            assert.strictEqual(result.registered, 0);
        });
    }

    it("refuses a service named default, naming the service and why", async () => {
        const result = await refusedConstruction(
            () =>
                new SharedDevHost("dev", {
                    ...baseArgs,
                    services: { "service-a": {}, default: {} },
                }),
        );
        assert.match(
            result.message,
            /^Invalid services\.default: "default"\. Accepted: .*, except default: the SDKs and the CLI use the default profile whenever AWS_PROFILE is unset/,
        );
        assert.strictEqual(result.registered, 0);
    });

    it("refuses rolepair:services[0] = default and awsProfileName: default through the stack config", async () => {
        const services = await refusedProgram("services", {
            "rolepair:services": JSON.stringify(["default objectActions=s3:GetObject"]),
        });
        assert.match(
            services.message,
            /^Invalid rolepair:services\[0\]: "default"\. Accepted: .*, except default: /,
        );
        assert.strictEqual(services.registered, 0);
        const pair = await refusedProgram("dev", { "rolepair:awsProfileName": "default" });
        assert.match(
            pair.message,
            /^Invalid awsProfileName: "default"\. Accepted: .*, except default: /,
        );
        assert.strictEqual(pair.registered, 0);
    });
});
