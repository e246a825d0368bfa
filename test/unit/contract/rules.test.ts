// The one set of input rules (contract/rules.ts): what each accepts and refuses, and that the
// components' checks and verify's plan use these very rules, so the two ends cannot drift.
import * as assert from "assert";

import { fieldRules } from "../../../contract/plan";
import { regionPattern } from "../../../contract/region";
import {
    bucketNameRule,
    externalIdRule,
    partitionPattern,
    principalArnPattern,
    profileNameProblem,
    profileNameRule,
    regionRule,
    roleArnRule,
    serviceNameRule,
} from "../../../contract/rules";
import {
    checkBucketName,
    checkExternalId,
    checkProfileName,
    checkRegion,
    checkRoleArn,
    checkServiceName,
} from "../../../components/validation";

const table: [string, RegExp, string[], string[]][] = [
    [
        "partition",
        partitionPattern,
        ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"],
        ["", "aws-", "aws-eu", "AWS", "aws\n", "aws-cn\naws"],
    ],
    [
        "role ARN",
        roleArnRule.pattern,
        [
            "arn:aws:iam::123456789012:role/r",
            "arn:aws-us-gov:iam::123456789012:role/path/r+=,.@-_",
            "arn:aws-iso-b:iam::123456789012:role/r",
        ],
        [
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::12345678901:role/r",
            "arn:aws:iam::123456789012:user/r",
            "arn:aws-eu:iam::123456789012:role/r",
            "arn:aws:iam::123456789012:role/r\n[default]",
            `arn:aws:iam::123456789012:role/${"r".repeat(513)}`,
        ],
    ],
    [
        "principal ARN",
        principalArnPattern,
        ["arn:aws:iam::123456789012:root", "arn:aws-cn:sts::123456789012:assumed-role/r/s"],
        ["arn:aws:iam::123456789012:group/g", "arn:aws:iam::123456789012:root\n"],
    ],
    [
        "ExternalId",
        externalIdRule.pattern,
        ["ab", "a+=,.@:/-_z", "x".repeat(1224)],
        ["a", "x".repeat(1225), "with space", "ab\ncredential_process = sh", "ab\r"],
    ],
    [
        "region",
        regionRule.pattern,
        ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1", "us-isob-east-1"],
        [
            "us-east-1\nx",
            "us-east-1\n",
            "US-EAST-1",
            "us-east",
            "us-east-123",
            `us-${"e".repeat(300)}-1`,
        ],
    ],
    [
        "bucket name",
        bucketNameRule.pattern,
        ["abc", "my-bucket-1", "a".repeat(63)],
        [
            "ab",
            "a".repeat(64),
            "my.bucket",
            "xn--abc",
            "abc-s3alias",
            "-abc",
            "abc-",
            "Abc",
            "abc\n",
        ],
    ],
    [
        "profile name",
        profileNameRule.pattern,
        ["a", "Service_A.1-x", "p".repeat(64)],
        ["", "a b", "[default]", "p".repeat(65), "a\n"],
    ],
    [
        "service name",
        serviceNameRule.pattern,
        ["a", "service-a", "s".repeat(32)],
        ["-a", "a-", "A", "s".repeat(33), "a_b", "a\n"],
    ],
];

describe("input rules (contract/rules.ts)", () => {
    for (const [label, pattern, good, bad] of table) {
        it(`${label}: accepts ${good.length}, refuses ${bad.length}`, () => {
            assert.strictEqual(pattern.flags.includes("m"), false, "a multiline pattern");
            for (const value of good)
                assert.ok(pattern.test(value), `refused ${JSON.stringify(value)}`);
            for (const value of bad)
                assert.ok(!pattern.test(value), `accepted ${JSON.stringify(value)}`);
        });
    }

    it("refuses default and __proto__ as profile names, saying why; constructor is ordinary", () => {
        assert.match(
            String(profileNameProblem("default")),
            /, except default: the SDKs and the CLI use the default profile/,
        );
        assert.match(
            String(profileNameProblem("__proto__")),
            /, except __proto__: the AWS SDK for JavaScript refuses/,
        );
        assert.strictEqual(profileNameProblem("constructor"), undefined);
        assert.strictEqual(profileNameProblem("toString"), undefined);
        assert.strictEqual(profileNameProblem(42), profileNameRule.accepted);
        assert.match(
            String(profileNameProblem("default", serviceNameRule)),
            /^1 to 32 characters.*, except default/,
        );
    });

    it("verify's plan and flags check with the same rules as the components", () => {
        assert.strictEqual(fieldRules.roleArn, roleArnRule);
        assert.strictEqual(fieldRules.externalId, externalIdRule);
        assert.strictEqual(fieldRules.bucket, bucketNameRule);
        assert.strictEqual(fieldRules.profile, profileNameRule);
        assert.strictEqual(regionPattern, regionRule.pattern);
    });

    it("the components refuse what the rules refuse, with the rules' words", () => {
        const cases: [(i: string, v: unknown) => string, string, string][] = [
            [checkRoleArn, "arn:aws:iam::123456789012:role/r\nx", roleArnRule.accepted],
            [checkExternalId, "a", externalIdRule.accepted],
            [checkRegion, "us-east-1\nx", regionRule.accepted],
            [checkBucketName, "my.bucket", bucketNameRule.accepted],
            [checkProfileName, "a b", profileNameRule.accepted],
            [checkServiceName, "A", serviceNameRule.accepted],
        ];
        for (const [check, value, accepted] of cases) {
            assert.throws(
                () => check("input", value),
                (e: Error) =>
                    e.message === `Invalid input: ${JSON.stringify(value)}. Accepted: ${accepted}.`,
                check.name,
            );
        }
    });
});
