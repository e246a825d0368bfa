// The host-key reader as the component's local command runs it (dist/host-key.js, credentials from
// the environment), against moto's EC2 API with IAM enforcement on. moto plays the instance;
// lab/moto_console.py plays its serial console, which the test writes as a first boot would.
import * as assert from "assert";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import {
    CreateAccessKeyCommand,
    CreateUserCommand,
    IAMClient,
    PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import * as fs from "fs";
import * as path from "path";

import { buildHostKeyCommand } from "../../components/commandLines";
import { authorizedKeyLine, type HostPublicKey } from "../../contract/hostKeys";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { Moto, region, StaticCredentials, startMoto } from "../../lab/moto";
import { newHostKey } from "../support/sshKeys";
import { assertNoSecretIn, capturedOutputs, runProcess } from "../../lab/verifyProcess";

const readerPath = path.join(__dirname, "..", "..", "dist", "host-key.js");

/**
 * Two fixed host keys. The ECDSA key's fingerprint, SHA256:izN12L7b06ZJdXT0CGnzvVmOjzoT7/GSBPDXi+xhetk,
 * is what `ssh-keygen -lf` printed for it (OpenSSH, not this project's fingerprint()), so the
 * reader's message is checked against an outside answer.
 */
const fixedEcdsa: HostPublicKey = {
    type: "ecdsa-sha2-nistp256",
    base64: "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMATxbfK6wMTxnHcgvNUsuZgvSDV5tY4P2/Jpatd6gsDgDpaNnStcge00K3Vt+ELow1D283BkExRrrfN+g5KzTM=",
};
const fixedEd25519: HostPublicKey = {
    type: "ssh-ed25519",
    base64: "AAAAC3NzaC1lZDI1NTE5AAAAICMlxZ4jVDpzcMpTsfjKWeTyvuyLFG7ySf1OF8b4SdaO",
};

/** What cloud-init on Amazon Linux 2023 prints at the end of the first boot. */
function firstBootTail(keys: HostPublicKey[]): string {
    return [
        "<14>Nov 29 12:00:01 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
        // The fingerprint lines are not read (only the key block is): any text of their shape.
        ...keys.map((k) => `<14>Nov 29 12:00:01 cloud-init: 256 SHA256:${k.type} root@ip-10-0-0-1`),
        "<14>Nov 29 12:00:01 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----",
        "-----BEGIN SSH HOST KEY KEYS-----",
        ...keys.map((k) => `${authorizedKeyLine(k)} root@ip-10-0-0-1`),
        "-----END SSH HOST KEY KEYS-----",
        "",
    ].join("\r\n");
}

describe("host key reader against the EC2 API (moto)", () => {
    let moto: Moto;
    let dir: string;
    let consoleFile: string;
    let instanceId: string;
    const secrets: string[] = [];
    let firstOutput = 0;

    before(async () => {
        firstOutput = capturedOutputs.length;
        if (!fs.existsSync(readerPath))
            throw new Error(`${readerPath} is missing: run "npm run build" first`);
        dir = makeTempDir("rolepair-console-");
        consoleFile = path.join(dir, "console");
        moto = await startMoto({ consoleFile });
        secrets.push(moto.admin.secretAccessKey);
        const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials: moto.admin });
        const run = await ec2.send(
            new RunInstancesCommand({
                ImageId: "ami-12c6146b",
                InstanceType: "t3.micro",
                MinCount: 1,
                MaxCount: 1,
            }),
        );
        instanceId = run.Instances![0].InstanceId!;
    });
    after(async () => {
        await moto?.stop();
        if (dir) removeTempDir(dir);
    });

    /** The reader, run exactly as buildHostKeyCommand makes it, with `credentials`. */
    function readKey(
        credentials: StaticCredentials,
        id = instanceId,
        extra: string[] = [],
        onStderr?: (stderr: string) => void,
    ) {
        const words = buildHostKeyCommand({ readerPath, instanceId: id, region }).split(" ");
        assert.strictEqual(words[0], "node");
        return runProcess(
            process.execPath,
            [...words.slice(1), "--poll-interval", "0.2", ...extra],
            {
                PATH: process.env.PATH,
                HOME: dir,
                AWS_ENDPOINT_URL: moto.endpoint,
                AWS_REGION: region,
                ...(credentials.accessKeyId
                    ? {
                          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
                          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
                      }
                    : {}),
                // Not an EC2 instance: the default chain must not wait for IMDS.
                AWS_EC2_METADATA_DISABLED: "true",
                AWS_CONFIG_FILE: path.join(dir, "none"),
                AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
            },
            60_000,
            undefined,
            onStderr,
        );
    }

    /** A user of moto whose only permission is `actions`. */
    async function userAllowed(name: string, actions: string[]): Promise<StaticCredentials> {
        const iam = new IAMClient({ region, endpoint: moto.endpoint, credentials: moto.admin });
        await iam.send(new CreateUserCommand({ UserName: name }));
        await iam.send(
            new PutUserPolicyCommand({
                UserName: name,
                PolicyName: "only",
                PolicyDocument: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
                }),
            }),
        );
        const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
        secrets.push(key.SecretAccessKey!);
        return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    }

    it("waits through the boot, then prints the ECDSA key as connection.hostKey takes it", async () => {
        const ecdsa = fixedEcdsa;
        const ed25519 = fixedEd25519;
        fs.writeFileSync(consoleFile, "Linux version 6.1.115-126.197.amzn2023.x86_64\r\n");
        // The keys appear once the reader has seen the console without them and says it waits, as
        // at the end of a first boot (on that event, not after a delay: a loaded machine may start
        // the reader late).
        let printed = false;
        const r = await readKey(moto.admin, instanceId, [], (stderr) => {
            if (printed || !/waiting for cloud-init/.test(stderr)) return;
            printed = true;
            fs.appendFileSync(consoleFile, firstBootTail([ecdsa, ed25519]));
        });
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout, `${authorizedKeyLine(ecdsa)}\n`);
        assert.match(r.stderr, /waiting for cloud-init to print i-\w+'s SSH host keys/);
        // The whole fingerprint, nothing after it (a padding "=" would not be ssh-keygen's).
        assert.match(
            r.stderr,
            /has ecdsa-sha2-nistp256, ssh-ed25519; pinning ecdsa-sha2-nistp256 SHA256:izN12L7b06ZJdXT0CGnzvVmOjzoT7\/GSBPDXi\+xhetk(?![A-Za-z0-9+/=])/,
        );
    });

    it("a deployer without ec2:GetConsoleOutput is told so at once (exit 3)", async () => {
        const viewer = await userAllowed("viewer", ["ec2:DescribeInstances"]);
        const r = await readKey(viewer);
        assert.strictEqual(r.code, 3, r.stderr);
        assert.match(r.stderr, /need ec2:GetConsoleOutput on i-\w+ to read its SSH host key/);
        assert.strictEqual(r.stdout, "");
    });

    it("a deployer allowed ec2:GetConsoleOutput alone can read the key", async () => {
        fs.writeFileSync(consoleFile, firstBootTail([newHostKey("ssh-ed25519")]));
        const reader = await userAllowed("reader", ["ec2:GetConsoleOutput"]);
        const r = await readKey(reader);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^ssh-ed25519 AAAA/);
    });

    it("a console without the key block fails after --timeout, saying why and what to do (exit 1)", async () => {
        fs.writeFileSync(consoleFile, "Linux version 6.1\r\ncloud-init: modules:final\r\n");
        const r = await readKey(moto.admin, instanceId, ["--timeout", "2"]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, /has no "BEGIN SSH HOST KEY KEYS" block in 2 s/);
        assert.match(
            r.stderr,
            /pulumi config set verifyTransport ssm && pulumi config rm sshIngressCidr/,
        );
        assert.strictEqual(r.stdout, "");
    });

    it("an instance EC2 does not know is reported with EC2's error (exit 3)", async () => {
        const r = await readKey(moto.admin, "i-0123456789abcdef0", ["--timeout", "1"]);
        assert.strictEqual(r.code, 3, r.stderr);
        assert.match(
            r.stderr,
            /could not read the console output of i-0123456789abcdef0 in 1 s: InvalidInstanceID.NotFound/,
        );
    });

    it("no credentials at all: said at once, not after --timeout (exit 3)", async () => {
        const started = Date.now();
        const r = await readKey({ accessKeyId: "", secretAccessKey: "" }, instanceId, [
            "--timeout",
            "30",
        ]);
        assert.strictEqual(r.code, 3, r.stderr);
        assert.match(
            r.stderr,
            /^host-key: CredentialsProviderError: .*\nNo usable AWS credentials/m,
        );
        assert.ok(Date.now() - started < 10_000, "it did not wait for the deadline");
    });

    it("prints no credential", () => {
        // Six runs above, stdout and stderr each.
        assertNoSecretIn(capturedOutputs.slice(firstOutput), secrets, 12);
    });
});
