// Secure defaults: IMDSv2, private encrypted bucket, TLS only, SSH from one CIDR at most.
import * as assert from "assert";

import { baseArgs, runComponent } from "../support/component";

describe("security posture", () => {
    let run: Awaited<ReturnType<typeof runComponent>>;
    before(async () => {
        run = await runComponent(baseArgs);
    });

    it("requires IMDSv2 with hop limit 1 by default", () => {
        assert.deepStrictEqual(
            run.find("aws:ec2/instance:Instance", "pair-host").inputs.metadataOptions,
            {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
            },
        );
    });

    it("encrypts the root volume", () => {
        assert.strictEqual(
            run.find("aws:ec2/instance:Instance", "pair-host").inputs.rootBlockDevice.encrypted,
            true,
        );
    });

    it("uses the latest Amazon Linux 2023 image for the instance's architecture", async () => {
        assert.strictEqual(
            run.find("aws:ec2/instance:Instance", "pair-host").inputs.ami,
            "ami-0abcdef1234567890",
        );
        const { al2023AmiParameter } = await import("../../components/instance");
        assert.strictEqual(
            al2023AmiParameter("t3.micro"),
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        );
        assert.strictEqual(
            al2023AmiParameter("t4g.small"),
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
        assert.strictEqual(
            al2023AmiParameter("c6gn.large"),
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
    });

    it("keeps an existing host's image and user data (ignoreChanges: ami, userData)", () => {
        // Without ami, the next `pulumi up` after an Amazon Linux release would replace the host;
        // without userData, upgrading a host whose user data still holds the profiles would.
        assert.deepStrictEqual(run.find("aws:ec2/instance:Instance", "pair-host").options, {
            ignoreChanges: ["ami", "userData"],
        });
    });

    it("blocks all public access to the bucket", () => {
        const bpa = run.find(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "pair-bucket-public-access-block",
        ).inputs;
        assert.deepStrictEqual(
            [
                bpa.blockPublicAcls,
                bpa.blockPublicPolicy,
                bpa.ignorePublicAcls,
                bpa.restrictPublicBuckets,
            ],
            [true, true, true, true],
        );
    });

    it("encrypts the bucket with SSE (AES256) and enforces bucket-owner ownership", () => {
        const sse = run.find(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "pair-bucket-encryption",
        ).inputs;
        assert.deepStrictEqual(sse.rules, [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        const ownership = run.find(
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "pair-bucket-ownership",
        ).inputs;
        assert.deepStrictEqual(ownership.rule, { objectOwnership: "BucketOwnerEnforced" });
    });

    it("denies requests without TLS in the bucket policy, attached after the public access block", () => {
        const policy = run.find("aws:s3/bucketPolicy:BucketPolicy", "pair-bucket-policy");
        assert.deepStrictEqual(JSON.parse(policy.inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [
                        "arn:aws:s3:::pair-bucket-7f3a9c1",
                        "arn:aws:s3:::pair-bucket-7f3a9c1/*",
                    ],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
        const bpa = run.find(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "pair-bucket-public-access-block",
        );
        assert.ok(policy.dependencies.includes(bpa.urn));
    });

    it("versions the bucket and expires noncurrent versions after 30 days by default", async () => {
        const versioning = run.find(
            "aws:s3/bucketVersioning:BucketVersioning",
            "pair-bucket-versioning",
        );
        assert.strictEqual(versioning.inputs.bucket, "pair-bucket-7f3a9c1");
        assert.deepStrictEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
        const lifecycle = run.find(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "pair-bucket-lifecycle",
        );
        assert.deepStrictEqual(lifecycle.inputs.rules, [
            {
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: { prefix: "" },
                noncurrentVersionExpiration: { noncurrentDays: 30 },
                expiration: { expiredObjectDeleteMarker: true },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        assert.ok(lifecycle.dependencies.includes(versioning.urn), "lifecycle after versioning");
        const days = await runComponent({ ...baseArgs, noncurrentVersionExpirationDays: 7 });
        assert.strictEqual(
            days.find(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "lifecycle",
            ).inputs.rules[0].noncurrentVersionExpiration.noncurrentDays,
            7,
        );
    });

    it("logs server access only to a bucket the operator names", async () => {
        assert.strictEqual(run.all("aws:s3/bucketLogging:BucketLogging").length, 0);
        const logged = await runComponent({ ...baseArgs, accessLogBucket: "acme-access-logs" });
        const logging = logged.find("aws:s3/bucketLogging:BucketLogging", "pair-bucket-logging");
        assert.strictEqual(logging.inputs.targetBucket, "acme-access-logs");
        assert.strictEqual(logging.inputs.targetPrefix, "pair-bucket-7f3a9c1/");
    });

    it("allows egress to tcp/443 only by default, and to the configured ports", async () => {
        const egressOf = (r: typeof run) =>
            r
                .find("aws:ec2/securityGroup:SecurityGroup", "pair-host-sg")
                .inputs.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort, e.cidrBlocks]);
        assert.deepStrictEqual(egressOf(run), [["tcp", 443, 443, ["0.0.0.0/0"]]]);
        const custom = await runComponent({ ...baseArgs, egressTcpPorts: [443, 8443] });
        assert.deepStrictEqual(egressOf(custom), [
            ["tcp", 443, 443, ["0.0.0.0/0"]],
            ["tcp", 8443, 8443, ["0.0.0.0/0"]],
        ]);
    });

    it("sets the permissions boundary on every role it creates, and none by default", async () => {
        for (const role of run.all("aws:iam/role:Role")) {
            assert.strictEqual(role.inputs.permissionsBoundary, undefined);
        }
        const boundary = "arn:aws:iam::123456789012:policy/DevBoundary";
        const bounded = await runComponent({ ...baseArgs, permissionsBoundary: boundary });
        const roles = bounded.all("aws:iam/role:Role");
        assert.strictEqual(roles.length, 2);
        for (const role of roles) assert.strictEqual(role.inputs.permissionsBoundary, boundary);
    });

    it("forceDestroy defaults to true and can be turned off", async () => {
        assert.strictEqual(
            run.find("aws:s3/bucket:Bucket", "pair-bucket").inputs.forceDestroy,
            true,
        );
        const off = await runComponent({ ...baseArgs, forceDestroy: false });
        assert.strictEqual(
            off.find("aws:s3/bucket:Bucket", "pair-bucket").inputs.forceDestroy,
            false,
        );
    });

    it("opens port 22 only to the configured CIDR, never 0.0.0.0/0", () => {
        const sg = run.find("aws:ec2/securityGroup:SecurityGroup", "pair-host-sg").inputs;
        assert.deepStrictEqual(
            sg.ingress.map((r: any) => [r.protocol, r.fromPort, r.toPort, r.cidrBlocks]),
            [["tcp", 22, 22, ["203.0.113.7/32"]]],
        );
        assert.strictEqual(sg.vpcId, "vpc-0default00000000");
    });

    it("with verify off: no ingress at all, no key pair, no public address", async () => {
        const off = await runComponent({ verify: false });
        assert.deepStrictEqual(
            off.find("aws:ec2/securityGroup:SecurityGroup", "pair-host-sg").inputs.ingress,
            [],
        );
        const instance = off.find("aws:ec2/instance:Instance", "pair-host").inputs;
        assert.strictEqual(instance.keyName, undefined);
        assert.strictEqual(instance.associatePublicIpAddress, undefined);
    });

    it("places the host in a configured subnet and that subnet's VPC", async () => {
        const inSubnet = await runComponent({ ...baseArgs, subnetId: "subnet-0123456789abcdef0" });
        assert.strictEqual(
            inSubnet.find("aws:ec2/instance:Instance", "pair-host").inputs.subnetId,
            "subnet-0123456789abcdef0",
        );
        assert.strictEqual(
            inSubnet.find("aws:ec2/securityGroup:SecurityGroup", "pair-host-sg").inputs.vpcId,
            "vpc-0fromsubnet0000",
        );
    });

    it("puts the target role's AWS profile (credential_source = Ec2InstanceMetadata) in an SSM parameter of the host's path", () => {
        const parameter = run.find("aws:ssm/parameter:Parameter", "pair-target-profile-parameter");
        assert.deepStrictEqual(
            [parameter.inputs.name, parameter.inputs.type, parameter.inputs.tier],
            ["/rolepair/rolepair/test/pair/profiles/target", "String", "Standard"],
        );
        assert.strictEqual(
            parameter.inputs.value,
            '{"v":1,"roleArn":"arn:aws:iam::123456789012:role/pair-target-role-7f3a9c1","region":"us-east-1"}',
        );
        const userData: string = run.find("aws:ec2/instance:Instance", "pair-host").inputs.userData;
        assert.match(userData, /dnf install -y nodejs22/);
        assert.match(
            userData,
            /^ExecStart=\/usr\/local\/bin\/node \/usr\/local\/lib\/rolepair\/profile-sync\.js --path \/rolepair\/rolepair\/test\/pair\/profiles --config \/home\/ec2-user\/\.aws\/config$/m,
        );
        assert.doesNotMatch(userData, /python3|credential_source/);
    });
});
