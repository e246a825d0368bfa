// The exact documents the component generates, per trust mode and option.
import * as assert from "assert";

import { baseArgs, runComponent } from "../support/component";
import {
    allow,
    allowAssumeRole,
    inlinePolicy,
    policyDocument,
    rolePoliciesOf,
    trustPolicy,
} from "../support/policyDocuments";

const hostRoleArn = "arn:aws:iam::123456789012:role/pair-host-role-7f3a9c1";
const targetRoleArn = "arn:aws:iam::123456789012:role/pair-target-role-7f3a9c1";
const bucketArn = "arn:aws:s3:::pair-bucket-7f3a9c1";

describe("policy documents", () => {
    it('trustMode "role": the target trusts the host role ARN and nothing broader', async () => {
        const run = await runComponent({ ...baseArgs, trustMode: "role" });
        assert.deepStrictEqual(
            trustPolicy(run, "pair-target-role"),
            policyDocument(allowAssumeRole("HostRoleAssumesTarget", { AWS: hostRoleArn })),
        );
    });

    it('trustMode "account-root": the principal is the partition-aware account root', async () => {
        const run = await runComponent(
            { ...baseArgs, trustMode: "account-root" },
            { partition: "aws-cn" },
        );
        assert.deepStrictEqual(
            trustPolicy(run, "pair-target-role"),
            policyDocument(
                allowAssumeRole("AccountPrincipalsAssumeTarget", {
                    AWS: "arn:aws-cn:iam::123456789012:root",
                }),
            ),
        );
    });

    it("account-root narrowed by trustedPrincipalArns and an ExternalId gets both conditions", async () => {
        const run = await runComponent({
            ...baseArgs,
            trustMode: "account-root",
            trustedPrincipalArns: ["arn:aws:iam::123456789012:role/app-*"],
            externalId: "ext-2026",
        });
        assert.deepStrictEqual(trustPolicy(run, "pair-target-role").Statement[0].Condition, {
            ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/app-*"] },
            StringEquals: { "sts:ExternalId": "ext-2026" },
        });
    });

    it("the host role is trusted by EC2 only", async () => {
        const run = await runComponent(baseArgs);
        assert.deepStrictEqual(
            trustPolicy(run, "pair-host-role"),
            policyDocument(allowAssumeRole("Ec2AssumesHostRole", { Service: "ec2.amazonaws.com" })),
        );
    });

    it("the host role may assume the target role and read its own profiles' path; no S3 action", async () => {
        const run = await runComponent(baseArgs);
        const hostPolicies = rolePoliciesOf(run, "pair-host-role-7f3a9c1");
        assert.deepStrictEqual(hostPolicies.map((p) => p.name).sort(), [
            "pair-host-assume",
            "pair-host-read-profiles",
        ]);
        const read = inlinePolicy(run, "pair-host-read-profiles");
        assert.deepStrictEqual(read.Statement, [
            allow(
                "ReadOwnProfiles",
                "ssm:GetParametersByPath",
                "arn:aws:ssm:us-east-1:123456789012:parameter/rolepair/rolepair/test/pair/profiles",
            ),
        ]);
        assert.doesNotMatch(JSON.stringify(read), /s3:|\*/);
        const policy = inlinePolicy(run, "pair-host-assume");
        assert.deepStrictEqual(
            policy,
            policyDocument(allow("AssumeTargetRole", "sts:AssumeRole", targetRoleArn)),
        );
        assert.doesNotMatch(JSON.stringify(policy), /s3:/);
        assert.strictEqual(run.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    });

    it("the target role may list this bucket and use its objects, nothing else", async () => {
        const run = await runComponent(baseArgs);
        assert.deepStrictEqual(
            inlinePolicy(run, "pair-target-access"),
            policyDocument(
                allow("ListTheBucket", "s3:ListBucket", bucketArn),
                allow(
                    "UseTheBucketObjects",
                    ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    `${bucketArn}/*`,
                ),
            ),
        );
    });

    it("objectActions overrides the object actions", async () => {
        const run = await runComponent({ ...baseArgs, objectActions: ["s3:GetObject"] });
        const policy = inlinePolicy(run, "pair-target-access");
        assert.deepStrictEqual(policy.Statement[1].Action, ["s3:GetObject"]);
    });

    it("maxSessionDuration reaches the target role", async () => {
        const run = await runComponent({ ...baseArgs, maxSessionDuration: 7200 });
        assert.strictEqual(
            run.find("aws:iam/role:Role", "pair-target-role").inputs.maxSessionDuration,
            7200,
        );
    });
});
