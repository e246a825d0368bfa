// verifyTransport "ssm": the proof runs through Systems Manager from the operator's machine, so no
// SSH-related resource exists at all, the host gets the SSM agent's managed policy (and still no S3
// action), and the local command carries the instance, the plan, the region and its triggers.
import * as assert from "assert";
import * as path from "path";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { SharedDevHost } from "../../components/sharedDevHost";
import { repoRoot } from "../../lab/program";
import { mockHostKeyLine, promiseOf, runMocked } from "../../lab/pulumiMocks";

// The runner is bundled by `npm run build`; these tests only need a file whose hash is stable.
const ssmRunnerPath = path.join(repoRoot, "dist", "verify.js");

const sshTypes = [
    "tls:index/privateKey:PrivateKey",
    "aws:ec2/keyPair:KeyPair",
    "command:remote:Command",
    "command:remote:CopyToRemote",
];

async function runSsm(partition = "aws") {
    return runMocked(
        "test",
        {},
        async () => {
            const shared = new SharedDevHost("dev", {
                verifyTransport: "ssm",
                ssmRunnerPath,
                services: { "service-a": {}, "service-b": { objectActions: ["s3:GetObject"] } },
            });
            return { shared, verification: shared.verification };
        },
        { partition },
    );
}

describe('verifyTransport "ssm"', () => {
    let run: Awaited<ReturnType<typeof runSsm>>;
    before(async () => {
        run = await runSsm();
    });

    it("creates no SSH-related resource: no key, no key pair, no ingress, no remote command, no forced public IP", () => {
        for (const type of sshTypes) assert.strictEqual(run.all(type).length, 0, type);
        assert.ok(
            !run.resources.some((r) => r.name.endsWith("-host-key")),
            "no host key is read: nothing connects over SSH",
        );
        const sg = run.find("aws:ec2/securityGroup:SecurityGroup", "dev-host-sg");
        assert.deepStrictEqual(sg.inputs.ingress, []);
        const instance = run.find("aws:ec2/instance:Instance", "dev-host");
        assert.strictEqual(instance.inputs.associatePublicIpAddress, undefined);
        assert.strictEqual(instance.inputs.keyName, undefined);
    });

    it("attaches AmazonSSMManagedInstanceCore to the host role, partition-aware, and nothing else", async () => {
        const attachments = run.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.deepStrictEqual(
            attachments.map((a) => [a.name, a.inputs.role, a.inputs.policyArn]),
            [
                [
                    "dev-host-ssm-core",
                    "dev-host-role-7f3a9c1",
                    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                ],
            ],
        );
        const china = await runSsm("aws-cn");
        assert.strictEqual(
            china.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ssm-core").inputs
                .policyArn,
            "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore",
        );
    });

    it("keeps the host role's own policy to sts:AssumeRole on the service roles", () => {
        const hostPolicies = run
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === "dev-host-role-7f3a9c1")
            .map((p) => JSON.parse(p.inputs.policy));
        assert.deepStrictEqual(
            hostPolicies.map((p) => p.Statement.map((s: any) => s.Action)).sort(),
            [["ssm:GetParametersByPath"], ["sts:AssumeRole"]],
        );
    });

    it("runs the SSM runner locally with the instance id, the region, the plan on stdin and its triggers", () => {
        const local = run.find("command:local:Command", "dev-verify-ssm");
        assert.strictEqual(
            local.inputs.create,
            `node ${ssmRunnerPath} --instance-id i-0123456789abcdef0 --region us-east-1 --propagation-timeout 120 --profiles-path /rolepair/rolepair/test/dev/profiles`,
        );
        assert.deepStrictEqual(local.inputs.environment, {
            AWS_REGION: "us-east-1",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        });
        const plan = JSON.parse(local.inputs.stdin);
        assert.deepStrictEqual(
            plan.map((t: any) => [t.name, t.objectActions]),
            [
                ["service-a", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]],
                ["service-b", ["s3:GetObject"]],
            ],
        );
        const [bundleHash, runnerHash, policyHashes, instanceId] = local.inputs.triggers;
        assert.match(bundleHash, /^[0-9a-f]{64}$/);
        assert.match(runnerHash, /^[0-9a-f]{64}$/);
        assert.strictEqual(
            policyHashes.length,
            2 * 2 + 2,
            "two policies per service, the profiles and the plan",
        );
        assert.strictEqual(instanceId, "i-0123456789abcdef0");
        const attachment = run.find(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "ssm-core",
        );
        assert.ok(local.dependencies.includes(attachment.urn), "waits for the SSM permissions");
        for (const parameter of run.all("aws:ssm/parameter:Parameter")) {
            assert.ok(local.dependencies.includes(parameter.urn), `waits for ${parameter.name}`);
        }
        assert.ok(
            local.dependencies.includes(run.find("aws:ec2/instance:Instance", "dev-host").urn),
        );
    });

    it("passes the aws provider's profile to the runner (a child process does not inherit provider config)", async () => {
        const withProfile = await runMocked("test", { "aws:profile": "dev-admin" }, async () => {
            const pair = new AssumableRolePair("pair", { verifyTransport: "ssm", ssmRunnerPath });
            return { pair };
        });
        assert.deepStrictEqual(
            withProfile.find("command:local:Command", "pair-verify-ssm").inputs.environment,
            {
                AWS_REGION: "us-east-1",
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
                AWS_PROFILE: "dev-admin",
            },
        );
    });

    it("reports the proof, and a failed proof fails the deployment", async () => {
        assert.strictEqual((await promiseOf<{ ok: boolean }>(run.loaded.verification)).ok, true);
        const failing = JSON.stringify({
            ok: false,
            steps: [],
            identities: {},
            services: [
                {
                    name: "service-a",
                    roleArn: "arn:aws:iam::123456789012:role/a",
                    bucket: "bucket-a",
                    ok: false,
                    steps: [
                        {
                            name: "assume-role",
                            ok: false,
                            expected: "x",
                            observed: "AccessDenied",
                            durationMs: 1,
                            diagnosis: "the role's trust does not admit the host role.",
                        },
                    ],
                    identities: {},
                    credentials: {},
                },
            ],
            isolation: [],
        });
        const failed = await runMocked(
            "test",
            {},
            async () => {
                const pair = new AssumableRolePair("pair", {
                    verifyTransport: "ssm",
                    ssmRunnerPath,
                });
                return { pair, verification: pair.verification };
            },
            { verifyStdout: failing },
        );
        await assert.rejects(
            promiseOf(failed.loaded.verification),
            /service "service-a" \(bucket bucket-a\): step "assume-role" failed: .*the role's trust does not admit the host role/,
        );
    });

    it("refuses SSH settings beside it, and needs no sshIngressCidr", async () => {
        for (const [key, value] of [
            ["sshIngressCidr", "203.0.113.7/32"],
            ["sshPublicKey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKey me@laptop"],
            ["sshHostKey", mockHostKeyLine.trim()],
        ]) {
            let error: Error | undefined;
            await runMocked("test", {}, async () => {
                try {
                    new AssumableRolePair("pair", {
                        verifyTransport: "ssm",
                        ssmRunnerPath,
                        [key]: value,
                        ...(key === "sshPublicKey" ? { sshPrivateKey: "k" } : {}),
                    });
                } catch (e) {
                    error = e as Error;
                }
                return {};
            });
            assert.match(
                String(error?.message),
                new RegExp(`^Invalid ${key}: .*Accepted: nothing with verifyTransport "ssm"`),
            );
        }
        let refused: Error | undefined;
        await runMocked("test", {}, async () => {
            try {
                new AssumableRolePair("pair", { verifyTransport: "scp" as never });
            } catch (e) {
                refused = e as Error;
            }
            return {};
        });
        assert.match(
            String(refused?.message),
            /^Invalid verifyTransport: "scp"\. Accepted: one of "ssh", "ssm"\.$/,
        );
    });
});
