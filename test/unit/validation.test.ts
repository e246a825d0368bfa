// Every bad input is refused before any resource is registered, with a message naming the
// input, the value and what is accepted.
import * as assert from "assert";

import { AssumableRolePair, AssumableRolePairArgs } from "../../components/assumableRolePair";
import { baseArgs } from "../support/component";
import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";
import { runMocked } from "../../lab/pulumiMocks";

async function refused(
    args: AssumableRolePairArgs,
): Promise<{ message: string; registered: number }> {
    const run = await runMocked("test", {}, async () => {
        try {
            new AssumableRolePair("pair", args);
        } catch (error) {
            return { error };
        }
        return {};
    });
    const error = (run.loaded as { error?: Error }).error;
    assert.ok(error, "the component must throw");
    return { message: error.message, registered: run.resources.length };
}

const cases: [string, AssumableRolePairArgs, RegExp][] = [
    [
        "unknown trustMode",
        { ...baseArgs, trustMode: "everyone" as never },
        /^Invalid trustMode: "everyone"\. Accepted: one of "role", "account-root"\.$/,
    ],
    [
        "trustedPrincipalArns with trustMode role",
        {
            ...baseArgs,
            trustMode: "role",
            trustedPrincipalArns: ["arn:aws:iam::123456789012:role/app"],
        },
        /^Invalid trustedPrincipalArns: \["arn:aws:iam::123456789012:role\/app"\]\. Accepted: only with trustMode "account-root"/,
    ],
    [
        "empty trustedPrincipalArns",
        { ...baseArgs, trustMode: "account-root", trustedPrincipalArns: [] },
        /^Invalid trustedPrincipalArns: \[\]\. Accepted: a non-empty list of IAM principal ARNs\.$/,
    ],
    [
        "malformed trusted ARN",
        {
            ...baseArgs,
            trustMode: "account-root",
            trustedPrincipalArns: ["arn:aws::iam::123456789012:root"],
        },
        /^Invalid trustedPrincipalArns\[0\]: "arn:aws::iam::123456789012:root"\. Accepted: an IAM principal ARN/,
    ],
    [
        "account-wide wildcard ARN",
        {
            ...baseArgs,
            trustMode: "account-root",
            trustedPrincipalArns: ["arn:aws:iam::123456789012:*"],
        },
        /^Invalid trustedPrincipalArns\[0\]: "arn:aws:iam::123456789012:\*"/,
    ],
    [
        "bad externalId",
        { ...baseArgs, externalId: "x" },
        /^Invalid externalId: "x"\. Accepted: 2 to 1224 characters/,
    ],
    [
        "maxSessionDuration too low",
        { ...baseArgs, maxSessionDuration: 900 },
        /^Invalid maxSessionDuration: 900\. Accepted: an integer from 3600 to 43200\.$/,
    ],
    [
        "maxSessionDuration too high",
        { ...baseArgs, maxSessionDuration: 43201 },
        /^Invalid maxSessionDuration: 43201\./,
    ],
    [
        "maxSessionDuration not an integer",
        { ...baseArgs, maxSessionDuration: 3600.5 },
        /^Invalid maxSessionDuration: 3600\.5\./,
    ],
    [
        "s3:* in objectActions",
        { ...baseArgs, objectActions: ["s3:*" as never] },
        /^Invalid objectActions\[0\]: "s3:\*"\. Accepted: a non-empty list drawn from s3:GetObject, s3:PutObject, s3:DeleteObject/,
    ],
    [
        "unknown S3 action",
        { ...baseArgs, objectActions: ["s3:GetObject", "s3:GetObjectz" as never] },
        /^Invalid objectActions\[1\]: "s3:GetObjectz"/,
    ],
    [
        "bucket-level action in objectActions",
        { ...baseArgs, objectActions: ["s3:PutBucketPolicy" as never] },
        /^Invalid objectActions\[0\]: "s3:PutBucketPolicy"/,
    ],
    ["empty objectActions", { ...baseArgs, objectActions: [] }, /^Invalid objectActions: \[\]/],
    [
        "bucketPrefix with capitals",
        { ...baseArgs, bucketPrefix: "MyBucket" },
        /^Invalid bucketPrefix: "MyBucket"\. Accepted: 3 to 37 characters of lowercase letters, digits and hyphens/,
    ],
    [
        "bucketPrefix too long",
        { ...baseArgs, bucketPrefix: "a".repeat(38) },
        /^Invalid bucketPrefix: "a{38}"/,
    ],
    [
        "bucketPrefix with dots",
        { ...baseArgs, bucketPrefix: "my.bucket" },
        /^Invalid bucketPrefix: "my\.bucket"/,
    ],
    [
        "forceDestroy not a boolean",
        { ...baseArgs, forceDestroy: "yes" as never },
        /^Invalid forceDestroy: "yes"\. Accepted: true or false\.$/,
    ],
    [
        "bad instanceType",
        { ...baseArgs, instanceType: "large" },
        /^Invalid instanceType: "large"\. Accepted: an EC2 instance type such as t3\.micro\.$/,
    ],
    [
        "hop limit 0",
        { ...baseArgs, httpPutResponseHopLimit: 0 },
        /^Invalid httpPutResponseHopLimit: 0\. Accepted: an integer from 1 to 64\.$/,
    ],
    [
        "bad awsProfileName",
        { ...baseArgs, awsProfileName: "my profile" },
        /^Invalid awsProfileName: "my profile"/,
    ],
    [
        "verify not a boolean",
        { ...baseArgs, verify: "true" as never },
        /^Invalid verify: "true"\. Accepted: true or false\.$/,
    ],
    [
        "verify on without sshIngressCidr",
        { verify: true },
        /^Invalid sshIngressCidr: not set\. Accepted: an IPv4 CIDR such as 203\.0\.113\.7\/32, required when verify is true/,
    ],
    [
        "SSH open to the world",
        { sshIngressCidr: "0.0.0.0/0" },
        /^Invalid sshIngressCidr: "0\.0\.0\.0\/0"\. Accepted: an IPv4 CIDR .* never 0\.0\.0\.0\/0, and no wider than \/16\.$/,
    ],
    [
        "half the internet as SSH source",
        { sshIngressCidr: "0.0.0.0/1" },
        /^Invalid sshIngressCidr: "0\.0\.0\.0\/1"\. Accepted: .*no wider than \/16: a \/1 opens SSH to 2,147,483,648 addresses\.$/,
    ],
    [
        "a /15 SSH source",
        { sshIngressCidr: "198.18.0.0/15" },
        /^Invalid sshIngressCidr: "198\.18\.0\.0\/15"\. Accepted: .*a \/15 opens SSH to 131,072 addresses\.$/,
    ],
    [
        "a trusted principal of wildcards only",
        {
            ...baseArgs,
            trustMode: "account-root",
            trustedPrincipalArns: ["arn:aws:iam::123456789012:role/*"],
        },
        /^Invalid trustedPrincipalArns\[0\]: "arn:aws:iam::123456789012:role\/\*"\. Accepted: a principal ARN that narrows the trust: .* narrows nothing/,
    ],
    [
        "CIDR without prefix",
        { sshIngressCidr: "203.0.113.7" },
        /^Invalid sshIngressCidr: "203\.0\.113\.7"/,
    ],
    [
        "CIDR with a bad octet",
        { sshIngressCidr: "203.0.113.300/32" },
        /^Invalid sshIngressCidr: "203\.0\.113\.300\/32"/,
    ],
    [
        "public key without private key",
        { ...baseArgs, sshPublicKey: "ssh-ed25519 AAAA" },
        /^Invalid sshPrivateKey: "\(unset\)"\. Accepted: sshPublicKey and sshPrivateKey together, or neither/,
    ],
    [
        "private key without public key",
        { ...baseArgs, sshPrivateKey: "secret" },
        /^Invalid sshPublicKey: "\(unset\)"/,
    ],
    [
        "malformed subnetId",
        { ...baseArgs, subnetId: "subnet-XYZ" },
        /^Invalid subnetId: "subnet-XYZ"\. Accepted: a subnet id such as subnet-0123456789abcdef0\.$/,
    ],
    [
        "an sshPublicKey that is not an OpenSSH key",
        { ...baseArgs, sshPublicKey: "BEGIN PUBLIC KEY", sshPrivateKey: "x" },
        /^Invalid sshPublicKey: \(16 characters, not shown\)\. Accepted: an OpenSSH public key line/,
    ],
    [
        "an sshHostKey cut short (not one whole key)",
        { ...baseArgs, sshHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKey" },
        /^Invalid sshHostKey: \("ssh-ed25519 …", 48 characters, not shown\)\. Accepted: exactly one host public key on one line, .* of type ecdsa-sha2-nistp256\/384\/521 or ssh-ed25519/,
    ],
    [
        "an sshHostKey that is a private key",
        { ...baseArgs, sshHostKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
        /^Invalid sshHostKey: \(a value that looks like a private key, not shown\)\. Accepted: exactly one host public key on one line/,
    ],
    [
        "noncurrent versions kept 0 days",
        { ...baseArgs, noncurrentVersionExpirationDays: 0 },
        /^Invalid noncurrentVersionExpirationDays: 0\. Accepted: an integer from 1 to 3650\.$/,
    ],
    [
        "an access-log bucket name with dots",
        { ...baseArgs, accessLogBucket: "logs.example.com" },
        /^Invalid accessLogBucket: "logs\.example\.com"\. Accepted: an existing S3 bucket name/,
    ],
    [
        "a permissions boundary that is a role",
        { ...baseArgs, permissionsBoundary: "arn:aws:iam::123456789012:role/x" },
        /^Invalid permissionsBoundary: "arn:aws:iam::123456789012:role\/x"\. Accepted: a managed policy ARN/,
    ],
    [
        "no egress port",
        { ...baseArgs, egressTcpPorts: [] },
        /^Invalid egressTcpPorts: \[\]\. Accepted: a non-empty list of TCP ports/,
    ],
    [
        "an egress port out of range",
        { ...baseArgs, egressTcpPorts: [443, 70000] },
        /^Invalid egressTcpPorts\[1\]: 70000\. Accepted: a non-empty list of TCP ports from 1 to 65535/,
    ],
    [
        "bad propagationTimeoutSeconds",
        { ...baseArgs, propagationTimeoutSeconds: 0 },
        /^Invalid propagationTimeoutSeconds: 0\. Accepted: an integer from 1 to 3600\.$/,
    ],
];

describe("input validation", () => {
    for (const [label, args, message] of cases) {
        it(`refuses ${label} and registers nothing`, async () => {
            const result = await refused(args);
            assert.match(result.message, message);
            assert.strictEqual(result.registered, 0);
        });
    }

    it("never echoes the SSH private key in an error", async () => {
        const result = await refused({
            ...baseArgs,
            sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY----- top secret",
        });
        assert.doesNotMatch(result.message, /top secret/);
    });

    describe("through the stack config", () => {
        const programCases: [string, Record<string, string>, RegExp][] = [
            [
                "unknown trustMode",
                { "rolepair:trustMode": "anyone" },
                /Invalid trustMode: "anyone"/,
            ],
            [
                "a number that is not one",
                { "rolepair:maxSessionDuration": "an hour" },
                /^Invalid rolepair:maxSessionDuration: "an hour"\. Accepted: an integer\.$/,
            ],
            [
                "a list that is not one",
                { "rolepair:objectActions": '"s3:GetObject"' },
                /^Invalid rolepair:objectActions: "s3:GetObject"\. Accepted: a YAML list of strings\.$/,
            ],
            [
                "a session name with spaces",
                { "rolepair:sessionName": "my session" },
                /^Invalid rolepair:sessionName: "my session"\. Accepted: 2 to 64 characters/,
            ],
            [
                "a wildcard action",
                { "rolepair:objectActions": '["s3:*"]' },
                /Invalid objectActions\[0\]: "s3:\*"/,
            ],
            [
                "an SSH private key set without --secret",
                {
                    "rolepair:sshPublicKey":
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKey me@laptop",
                    "rolepair:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY----- plaintext",
                },
                /^Invalid rolepair:sshPrivateKey: "\(plaintext, not shown\)"\. Accepted: a secret: pulumi config set --secret sshPrivateKey -- /,
            ],
        ];
        for (const [label, config, message] of programCases) {
            it(`refuses ${label} and registers nothing`, async () => {
                let error: Error | undefined;
                const run = await runProgram("dev", {
                    ...stackFileConfig("dev"),
                    ...operatorConfig,
                    ...config,
                }).catch((e: Error) => {
                    error = e;
                    return undefined;
                });
                assert.ok(error, "the program must throw");
                assert.match(error!.message, message);
                assert.strictEqual(run, undefined);
                const { getMonitor } = await import("@pulumi/pulumi/runtime");
                assert.strictEqual((getMonitor() as any).getRegisteredResources().size, 0);
            });
        }
    });
});
