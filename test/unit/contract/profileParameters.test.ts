// A profile parameter's value (contract/profileParameters.ts): what the components write, what the
// host accepts, and the block the host renders, written out literally.
import * as assert from "assert";

import {
    maxProfileParameterChars,
    parseProfileParameter,
    ProfileParameterError,
    profileParameterValue,
    renderProfilesConfig,
} from "../../../contract/profileParameters";

const path = "/rolepair/p/dev/host/profiles";
const roleArn = "arn:aws:iam::123456789012:role/service-a";

describe("profile parameters (JSON in SSM, rendered on the host)", () => {
    it("the components write JSON that the host reads back to the same profile", () => {
        const value = profileParameterValue({
            name: "service-a",
            roleArn,
            region: "us-east-1",
            externalId: "ext-1",
        });
        assert.strictEqual(
            value,
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1","externalId":"ext-1"}`,
        );
        assert.deepStrictEqual(parseProfileParameter(path, `${path}/service-a`, value), {
            name: "service-a",
            roleArn,
            region: "us-east-1",
            externalId: "ext-1",
        });
        const plain = profileParameterValue({ name: "service-a", roleArn, region: "us-east-1" });
        assert.strictEqual(plain, `{"v":1,"roleArn":"${roleArn}","region":"us-east-1"}`);
        assert.ok(value.length <= maxProfileParameterChars);
    });

    it("renders only role_arn, credential_source, region and external_id", () => {
        assert.strictEqual(
            renderProfilesConfig([
                { name: "service-b", roleArn, region: "eu-west-3", externalId: "ext-b" },
                { name: "service-a", roleArn, region: "us-east-1" },
            ]),
            "[profile service-a]\n" +
                `role_arn = ${roleArn}\n` +
                "credential_source = Ec2InstanceMetadata\n" +
                "region = us-east-1\n" +
                "\n" +
                "[profile service-b]\n" +
                `role_arn = ${roleArn}\n` +
                "credential_source = Ec2InstanceMetadata\n" +
                "region = eu-west-3\n" +
                "external_id = ext-b\n",
        );
    });

    const hostile: [string, string, unknown, RegExp][] = [
        [
            "the issue's config text",
            "zzz",
            "[profile zzz]\n [default]\ncredential_process = /path/evil.sh\n",
            /its value is not JSON/,
        ],
        [
            "a profile named default",
            "default",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1"}`,
            /profile name "default": expected .*except default/,
        ],
        [
            "a profile named __proto__",
            "__proto__",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1"}`,
            /profile name "__proto__": expected .*except __proto__/,
        ],
        [
            "a __proto__ key",
            "s",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1","__proto__":{}}`,
            /unknown key "__proto__"/,
        ],
        [
            "credential_process",
            "s",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1","credential_process":"sh"}`,
            /unknown key "credential_process"/,
        ],
        [
            "a region with a line after it",
            "s",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1\\n[default]"}`,
            /region "us-east-1\\n\[default\]": expected an AWS region/,
        ],
        [
            "no version",
            "s",
            `{"roleArn":"${roleArn}","region":"us-east-1"}`,
            /v is undefined; expected 1/,
        ],
        [
            "a number for the role",
            "s",
            `{"v":1,"roleArn":7,"region":"us-east-1"}`,
            /roleArn 7: expected an IAM role ARN/,
        ],
        ["a missing value", "s", undefined, /it has no value/],
        ["null", "s", "null", /its value is null; expected a JSON object/],
        [
            "a nested name",
            "a/b",
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1"}`,
            /profile name "a\/b"/,
        ],
        [
            "more than 4 KB",
            "s",
            `{"v":1}${" ".repeat(4096)}`,
            /its value has 4103 characters; expected at most 4096/,
        ],
    ];
    for (const [label, name, value, message] of hostile) {
        it(`the host refuses ${label}, naming the parameter`, () => {
            assert.throws(
                () => parseProfileParameter(path, `${path}/${name}`, value),
                (e: unknown) =>
                    e instanceof ProfileParameterError &&
                    e.parameter === `${path}/${name}` &&
                    message.test(e.reason),
            );
        });
    }

    it("the components refuse to write what the host would refuse", () => {
        assert.throws(
            () => profileParameterValue({ name: "default", roleArn, region: "us-east-1" }),
            /parameter for profile "default": profile name "default": expected .*except default/,
        );
        assert.throws(
            () =>
                profileParameterValue({
                    name: "s",
                    roleArn,
                    region: "us-east-1",
                    externalId: "x\ncredential_process = sh",
                }),
            (e: Error) =>
                /externalId: expected/.test(e.message) && !e.message.includes("credential_process"),
        );
    });
});
