// Verification wiring: ordering, re-run triggers, the exact command line, report handling, secrets.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";

import { defaultHostKeyReaderPath } from "../../components/bundles";
import {
    buildAssumeRoleCommand,
    buildHostKeyCommand,
    buildVerifyPlanCommand,
} from "../../components/commandLines";
import { createInstance } from "../../components/instance";
import { parseVerificationReport, requireProof } from "../../components/proofReport";
import { remoteVerifyPath } from "../../components/sshTransport";
import { baseArgs, runComponent } from "../support/component";
import { mockHostKeyLine, promiseOf, runMocked } from "../../lab/pulumiMocks";

/** A report in verify's shape whose one service failed: the host could already read its bucket. */
const failingReport = JSON.stringify({
    ok: false,
    steps: [{ name: "base-identity", ok: true, expected: "x", observed: "arn", durationMs: 3 }],
    identities: { base: "arn" },
    services: [
        {
            name: "target",
            roleArn: "arn:aws:iam::123456789012:role/pair-target-role-7f3a9c1",
            bucket: "pair-bucket-7f3a9c1",
            ok: false,
            steps: [
                {
                    name: "base-denied",
                    ok: false,
                    expected: "AccessDenied listing the bucket as the host's own role",
                    observed: "ListObjectsV2 succeeded",
                    durationMs: 5,
                    diagnosis:
                        "the host role can already read the bucket: the setup does not isolate it.",
                },
            ],
            identities: {},
            credentials: {},
        },
    ],
    isolation: [],
});

describe("verification wiring", () => {
    let run: Awaited<ReturnType<typeof runComponent>>;
    before(async () => {
        run = await runComponent(baseArgs);
    });

    it("waits for the instance, its profile and both policies before touching the host", () => {
        const wait = run.find("command:remote:Command", "pair-wait-for-host");
        for (const [type, name] of [
            ["aws:ec2/instance:Instance", "pair-host"],
            ["aws:iam/instanceProfile:InstanceProfile", "pair-host-profile"],
            ["aws:iam/rolePolicy:RolePolicy", "pair-host-assume"],
            ["aws:iam/rolePolicy:RolePolicy", "pair-target-access"],
        ]) {
            assert.ok(
                wait.dependencies.includes(run.find(type, name).urn),
                `wait-for-host must depend on ${name}`,
            );
        }
        const copy = run.find("command:remote:CopyToRemote", "pair-copy-verify");
        assert.ok(copy.dependencies.includes(wait.urn));
        const verify = run.find("command:remote:Command", "pair-verify");
        assert.ok(verify.dependencies.includes(copy.urn));
    });

    it("connects as ec2-user and waits for cloud-init, with a bounded dial limit", () => {
        const wait = run.find("command:remote:Command", "pair-wait-for-host").inputs;
        assert.strictEqual(wait.connection.dialErrorLimit, 30);
        assert.strictEqual(wait.connection.user, "ec2-user");
        assert.strictEqual(wait.connection.host, "198.51.100.10");
        assert.match(wait.create, /^cloud-init status --wait/);
    });

    it("reads the host key from the console once the instance exists, as the deployer, re-read only for a new instance", () => {
        const read = run.find("command:local:Command", "pair-host-key");
        assert.ok(
            read.dependencies.includes(run.find("aws:ec2/instance:Instance", "pair-host").urn),
        );
        assert.strictEqual(
            read.inputs.create,
            buildHostKeyCommand({
                readerPath: defaultHostKeyReaderPath,
                instanceId: "i-0123456789abcdef0",
                region: "us-east-1",
            }),
        );
        assert.strictEqual(
            read.inputs.create,
            `node ${defaultHostKeyReaderPath} --instance-id i-0123456789abcdef0 --region us-east-1`,
        );
        assert.deepStrictEqual(read.inputs.environment, {
            AWS_REGION: "us-east-1",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        });
        assert.deepStrictEqual(read.inputs.triggers, ["i-0123456789abcdef0"]);
    });

    it("pins that key (trimmed) on every SSH connection, so no other host can answer", () => {
        const read = run.find("command:local:Command", "pair-host-key");
        for (const [type, name] of [
            ["command:remote:Command", "pair-wait-for-host"],
            ["command:remote:CopyToRemote", "pair-copy-verify"],
            ["command:remote:Command", "pair-verify"],
        ]) {
            const r = run.find(type, name);
            assert.strictEqual(r.inputs.connection.hostKey, mockHostKeyLine.trim(), name);
            assert.ok(r.dependencies.includes(read.urn), `${name} waits for the key`);
        }
    });

    it("pins a given sshHostKey (comment dropped) instead of reading the console", async () => {
        const given = await runComponent({
            ...baseArgs,
            sshHostKey: `${mockHostKeyLine.trim()} root@ip-10-0-0-1`,
        });
        assert.ok(!given.resources.some((r) => r.name === "pair-host-key"));
        for (const name of ["pair-wait-for-host", "pair-verify"])
            assert.strictEqual(
                given.find("command:remote:Command", name).inputs.connection.hostKey,
                mockHostKeyLine.trim(),
            );
    });

    it("runs the one command form, the plan on stdin naming the target role, bucket and profile", () => {
        const verify = run.find("command:remote:Command", "pair-verify").inputs;
        const expected = buildVerifyPlanCommand({
            scriptPath: remoteVerifyPath,
            region: "us-east-1",
            propagationTimeoutSeconds: 120,
        });
        assert.strictEqual(verify.create, expected);
        assert.strictEqual(
            expected,
            "node /home/ec2-user/rolepair-verify.js --targets - --region us-east-1 --propagation-timeout 120 --json",
        );
        assert.deepStrictEqual(JSON.parse(verify.stdin), [
            {
                name: "target",
                roleArn: "arn:aws:iam::123456789012:role/pair-target-role-7f3a9c1",
                bucket: "pair-bucket-7f3a9c1",
                objectActions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                profile: "target",
            },
        ]);
    });

    it("re-runs when a target policy changes, and only the policy hash moves", async () => {
        const other = await runComponent({
            ...baseArgs,
            objectActions: ["s3:GetObject", "s3:PutObject"],
        });
        const before = run.find("command:remote:Command", "pair-verify").inputs.triggers;
        const after = other.find("command:remote:Command", "pair-verify").inputs.triggers;
        assert.strictEqual(before.length, 3);
        assert.strictEqual(before[0], after[0], "the bundle hash is the same");
        assert.match(before[0], /^[0-9a-f]{64}$/);
        assert.notDeepStrictEqual(before[1], after[1], "the policy hashes differ");
        assert.strictEqual(before[1][0], after[1][0], "the trust policy did not change");
        assert.notStrictEqual(before[1][1], after[1][1], "the access policy did");
    });

    it("the report output is what the host's verify printed, parsed, when the proof holds", async () => {
        // A report of this test's own (not the mocks' default), so the output can only be the
        // component's parse of the verify command's stdout.
        const printed = {
            ...JSON.parse(failingReport),
            ok: true,
            identities: { base: "arn:aws:sts::123456789012:assumed-role/host/i-0feedface0000001" },
        };
        printed.services[0].ok = true;
        printed.services[0].steps[0] = { ...printed.services[0].steps[0], ok: true };
        delete printed.services[0].steps[0].diagnosis;
        const ran = await runComponent(baseArgs, { verifyStdout: JSON.stringify(printed) });
        const stdout = ran.find("command:remote:Command", "pair-verify").state.stdout;
        assert.strictEqual(stdout, JSON.stringify(printed), "the verify command's own stdout");
        assert.deepStrictEqual(await promiseOf(ran.pair.verification!), printed);
    });

    it("a failed proof fails the deployment with the report's diagnosis", async () => {
        const failed = await runComponent(baseArgs, { verifyStdout: failingReport });
        await assert.rejects(
            promiseOf(failed.pair.verification!),
            /Assume-role verification failed on the host: service "target" \(bucket pair-bucket-7f3a9c1\): step "base-denied" failed: expected AccessDenied listing the bucket as the host's own role; observed ListObjectsV2 succeeded\. Likely cause: the host role can already read the bucket/,
        );
    });

    it("parseVerificationReport rejects output that is not a report", () => {
        assert.throws(
            () => parseVerificationReport("Error: cannot find module"),
            /verify did not print a JSON report; it printed: Error: cannot find module/,
        );
        assert.throws(() => parseVerificationReport('{"hello":1}'), /not a report/);
        assert.strictEqual(
            requireProof(parseVerificationReport(failingReport.replace('"ok":false', '"ok":true')))
                .ok,
            true,
        );
    });

    it("a missing bundle is a clear error before anything is registered", async () => {
        const result = await runMocked("test", {}, async () => {
            const { AssumableRolePair } = await import("../../components/assumableRolePair");
            try {
                new AssumableRolePair("pair", {
                    ...baseArgs,
                    verifyBundlePath: "/nonexistent/verify.js",
                });
            } catch (error) {
                return { error };
            }
            return {};
        });
        assert.match(
            String((result.loaded as any).error),
            /The verify bundle \/nonexistent\/verify\.js does not exist\. Run "npm run build" first/,
        );
    });

    for (const keySource of ["configured", "generated"] as const) {
        it(`keeps the ${keySource} SSH private key secret`, async () => {
            const result = await runMocked("test", {}, async () => {
                const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
                const host = createInstance(
                    "h",
                    {
                        instanceType: "t3.micro",
                        instanceProfileName: "profile",
                        userData: "",
                        httpPutResponseHopLimit: 1,
                        egressTcpPorts: [443],
                        ssh: {
                            ingressCidr: "203.0.113.7/32",
                            ...(keySource === "configured"
                                ? {
                                      publicKey: "ssh-ed25519 AAAA x",
                                      privateKey: "plain private key",
                                  }
                                : {}),
                        },
                    },
                    parent,
                );
                return { isSecret: await (host.sshPrivateKey as any).isSecret };
            });
            assert.strictEqual((result.loaded as any).isSecret, true);
        });
    }
});

describe("command line quoting", () => {
    it("quotes values a shell would otherwise split or expand", () => {
        const line = buildAssumeRoleCommand({
            roleArn: "arn:aws:iam::123456789012:role/r",
            sessionName: "s",
            externalId: "a b'$(x)",
        });
        assert.match(line, / --external-id 'a b'\\''\$\(x\)'$/);
    });

    it("quotes a word that starts with = (zsh would expand =cmd to a path)", () => {
        const line = buildAssumeRoleCommand({
            roleArn: "arn:aws:iam::123456789012:role/r",
            sessionName: "=ls",
        });
        assert.match(line, / --role-session-name '=ls'$/);
        // An = inside a word is still left as typed.
        assert.match(
            buildAssumeRoleCommand({
                roleArn: "arn:aws:iam::123456789012:role/r=1",
                sessionName: "s",
            }),
            / --role-arn arn:aws:iam::123456789012:role\/r=1 /,
        );
    });
});
