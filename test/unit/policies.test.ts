// The exact documents the component generates, per trust mode and option.
import * as assert from "assert";

import { baseArgs, runComponent } from "../support/component";
import type { MockedRun } from "../support/pulumiMocks";

const hostRoleArn = "arn:aws:iam::123456789012:role/pair-host-role-7f3a9c1";
const targetRoleArn = "arn:aws:iam::123456789012:role/pair-target-role-7f3a9c1";
const bucketArn = "arn:aws:s3:::pair-bucket-7f3a9c1";

const doc = (run: MockedRun, type: string, name: string, field: string) =>
    JSON.parse(run.find(type, name).inputs[field]);
const targetTrust = (run: MockedRun) =>
    doc(run, "aws:iam/role:Role", "pair-target-role", "assumeRolePolicy");

describe("policy documents", () => {
    it('trustMode "role": the target trusts the host role ARN and nothing broader', async () => {
        const run = await runComponent({ ...baseArgs, trustMode: "role" });
        assert.deepStrictEqual(targetTrust(run), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "HostRoleAssumesTarget",
                    Effect: "Allow",
                    Principal: { AWS: hostRoleArn },
                    Action: "sts:AssumeRole",
                },
            ],
        });
    });

    it('trustMode "account-root": the principal is the partition-aware account root', async () => {
        const run = await runComponent(
            { ...baseArgs, trustMode: "account-root" },
            { partition: "aws-cn" },
        );
        assert.deepStrictEqual(targetTrust(run), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountPrincipalsAssumeTarget",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws-cn:iam::123456789012:root" },
                    Action: "sts:AssumeRole",
                },
            ],
        });
    });

    it("account-root narrowed by trustedPrincipalArns and an ExternalId gets both conditions", async () => {
        const run = await runComponent({
            ...baseArgs,
            trustMode: "account-root",
            trustedPrincipalArns: ["arn:aws:iam::123456789012:role/app-*"],
            externalId: "ext-2026",
        });
        assert.deepStrictEqual(targetTrust(run).Statement[0].Condition, {
            ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/app-*"] },
            StringEquals: { "sts:ExternalId": "ext-2026" },
        });
    });

    it("the host role is trusted by EC2 only", async () => {
        const run = await runComponent(baseArgs);
        assert.deepStrictEqual(
            doc(run, "aws:iam/role:Role", "pair-host-role", "assumeRolePolicy"),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "Ec2AssumesHostRole",
                        Effect: "Allow",
                        Principal: { Service: "ec2.amazonaws.com" },
                        Action: "sts:AssumeRole",
                    },
                ],
            },
        );
    });

    it("the host role may assume the target role and read its own profiles' path; no S3 action", async () => {
        const run = await runComponent(baseArgs);
        const hostPolicies = run
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === "pair-host-role-7f3a9c1");
        assert.deepStrictEqual(hostPolicies.map((p) => p.name).sort(), [
            "pair-host-assume",
            "pair-host-read-profiles",
        ]);
        const read = JSON.parse(
            run.find("aws:iam/rolePolicy:RolePolicy", "pair-host-read-profiles").inputs.policy,
        );
        assert.deepStrictEqual(read.Statement, [
            {
                Sid: "ReadOwnProfiles",
                Effect: "Allow",
                Action: "ssm:GetParametersByPath",
                Resource:
                    "arn:aws:ssm:us-east-1:123456789012:parameter/rolepair/rolepair/test/pair/profiles",
            },
        ]);
        assert.doesNotMatch(JSON.stringify(read), /s3:|\*/);
        const policy = JSON.parse(
            run.find("aws:iam/rolePolicy:RolePolicy", "pair-host-assume").inputs.policy,
        );
        assert.deepStrictEqual(policy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AssumeTargetRole",
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Resource: targetRoleArn,
                },
            ],
        });
        assert.doesNotMatch(JSON.stringify(policy), /s3:/);
        assert.strictEqual(run.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    });

    it("the target role may list this bucket and use its objects, nothing else", async () => {
        const run = await runComponent(baseArgs);
        assert.deepStrictEqual(
            doc(run, "aws:iam/rolePolicy:RolePolicy", "pair-target-access", "policy"),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ListTheBucket",
                        Effect: "Allow",
                        Action: "s3:ListBucket",
                        Resource: bucketArn,
                    },
                    {
                        Sid: "UseTheBucketObjects",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: `${bucketArn}/*`,
                    },
                ],
            },
        );
    });

    it("objectActions overrides the object actions", async () => {
        const run = await runComponent({ ...baseArgs, objectActions: ["s3:GetObject"] });
        const policy = doc(run, "aws:iam/rolePolicy:RolePolicy", "pair-target-access", "policy");
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
