// The whole stack program under each stack's config: what is created, how it is named, who owns it.
import * as assert from "assert";

import { mockHostKeyLine, promiseOf } from "../../lab/pulumiMocks";
import {
    operatorConfig,
    runProgram,
    sshVerificationNames,
    stackFileConfig,
} from "../../lab/program";

const componentType = "rolepair:index:AssumableRolePair";

/** Resource counts by type; the verification-only types are absent with verify: false. */
const common = {
    [componentType]: 1,
    "aws:s3/bucket:Bucket": 1,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
    "aws:s3/bucketPolicy:BucketPolicy": 1,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    "aws:iam/role:Role": 2,
    "aws:iam/instanceProfile:InstanceProfile": 1,
    "aws:iam/rolePolicy:RolePolicy": 3,
    "aws:ssm/parameter:Parameter": 1,
    "aws:ec2/securityGroup:SecurityGroup": 1,
    "aws:ec2/instance:Instance": 1,
};
const verification = {
    "tls:index/privateKey:PrivateKey": 1,
    "aws:ec2/keyPair:KeyPair": 1,
    "command:local:Command": 1,
    "command:remote:Command": 3,
    "command:remote:CopyToRemote": 1,
};

const expectedNames = [
    "rolepair",
    "rolepair-bucket",
    "rolepair-bucket-public-access-block",
    "rolepair-bucket-ownership",
    "rolepair-bucket-encryption",
    "rolepair-bucket-policy",
    "rolepair-bucket-versioning",
    "rolepair-bucket-lifecycle",
    "rolepair-host-role",
    "rolepair-host-profile",
    "rolepair-target-role",
    "rolepair-target-access",
    "rolepair-host-assume",
    "rolepair-host-read-profiles",
    "rolepair-target-profile-parameter",
    "rolepair-host-sg",
    "rolepair-host",
];

function countByType(resources: { type: string }[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
}

const stacks: {
    label: string;
    stack: string;
    config: () => Record<string, string>;
    verify: boolean;
    trustMode: string;
}[] = [
    {
        label: "dev",
        stack: "dev",
        config: () => ({ ...stackFileConfig("dev"), ...operatorConfig }),
        verify: true,
        trustMode: "role",
    },
    {
        label: "root-trust",
        stack: "root-trust",
        config: () => ({ ...stackFileConfig("root-trust"), ...operatorConfig }),
        verify: true,
        trustMode: "account-root",
    },
    {
        label: "dev with verify off",
        stack: "dev",
        config: () => ({ ...stackFileConfig("dev"), "rolepair:verify": "false" }),
        verify: false,
        trustMode: "role",
    },
];

describe("stack program under mocks", () => {
    for (const s of stacks) {
        describe(s.label, () => {
            let run: Awaited<ReturnType<typeof runProgram>>;
            before(async () => {
                run = await runProgram(s.stack, s.config());
            });

            it("registers exactly the expected resource types and counts", () => {
                assert.deepStrictEqual(
                    countByType(run.resources),
                    s.verify ? { ...common, ...verification } : common,
                );
            });

            it("uses stable logical names", () => {
                const names = run.resources.map((r) => r.name).sort();
                assert.deepStrictEqual(
                    names,
                    [...expectedNames, ...(s.verify ? sshVerificationNames : [])].sort(),
                );
            });

            it("parents every child to the AssumableRolePair component", () => {
                for (const r of run.resources.filter((r) => r.type !== componentType)) {
                    assert.strictEqual(
                        r.parentType,
                        componentType,
                        `${r.type} ${r.name} is not parented to the component`,
                    );
                }
            });

            it(`builds the target trust for trustMode ${s.trustMode}`, () => {
                const trust = JSON.parse(
                    run.find("aws:iam/role:Role", "target-role").inputs.assumeRolePolicy,
                );
                const principal = trust.Statement[0].Principal.AWS;
                assert.strictEqual(
                    principal,
                    s.trustMode === "role"
                        ? "arn:aws:iam::123456789012:role/rolepair-host-role-7f3a9c1"
                        : "arn:aws:iam::123456789012:root",
                );
            });

            it("exports the operator's outputs", async () => {
                const out = run.loaded;
                assert.strictEqual(
                    await promiseOf(out.hostRoleArn),
                    "arn:aws:iam::123456789012:role/rolepair-host-role-7f3a9c1",
                );
                assert.strictEqual(
                    await promiseOf(out.targetRoleArn),
                    "arn:aws:iam::123456789012:role/rolepair-target-role-7f3a9c1",
                );
                assert.strictEqual(await promiseOf(out.bucketName), "rolepair-bucket-7f3a9c1");
                assert.strictEqual(await promiseOf(out.instanceId), "i-0123456789abcdef0");
                assert.strictEqual(await promiseOf(out.publicIp), "198.51.100.10");
                assert.strictEqual(out.awsProfileName, "target");
                assert.strictEqual(
                    await promiseOf(out.assumeRoleCommand),
                    "aws sts assume-role --role-arn arn:aws:iam::123456789012:role/rolepair-target-role-7f3a9c1 --role-session-name rolepair-check",
                );
                if (s.verify)
                    assert.strictEqual(
                        (await promiseOf<{ ok: boolean }>(out.verification)).ok,
                        true,
                    );
                else assert.strictEqual(out.verification, undefined);
            });
        });
    }

    it("passes an ExternalId into the trust and the assume-role line", async () => {
        const run = await runProgram("dev", {
            ...stackFileConfig("dev"),
            ...operatorConfig,
            "rolepair:externalId": "ext-id-2026",
        });
        const trust = JSON.parse(
            run.find("aws:iam/role:Role", "target-role").inputs.assumeRolePolicy,
        );
        assert.deepStrictEqual(trust.Statement[0].Condition, {
            StringEquals: { "sts:ExternalId": "ext-id-2026" },
        });
        assert.match(await promiseOf(run.loaded.assumeRoleCommand), / --external-id ext-id-2026$/);
    });

    it("pins rolepair:sshHostKey when set, and reads no console", async () => {
        const run = await runProgram("dev", {
            ...stackFileConfig("dev"),
            ...operatorConfig,
            "rolepair:sshHostKey": `${mockHostKeyLine.trim()} root@ip-10-0-0-1`,
        });
        assert.strictEqual(run.all("command:local:Command").length, 0);
        assert.strictEqual(
            run.find("command:remote:Command", "rolepair-verify").inputs.connection.hostKey,
            mockHostKeyLine.trim(),
        );
    });

    it("uses a configured key pair instead of generating one", async () => {
        const run = await runProgram(
            "dev",
            {
                ...stackFileConfig("dev"),
                ...operatorConfig,
                "rolepair:sshPublicKey":
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKeyOperatorKeyOperatorKeyOperatorKe me@laptop",
                "rolepair:sshPrivateKey":
                    "-----BEGIN OPENSSH PRIVATE KEY-----\noperator\n-----END OPENSSH PRIVATE KEY-----",
            },
            {},
            ["sshPrivateKey"],
        );
        assert.strictEqual(run.all("tls:index/privateKey:PrivateKey").length, 0);
        assert.match(
            run.find("aws:ec2/keyPair:KeyPair", "key-pair").inputs.publicKey,
            / me@laptop$/,
        );
    });
});
