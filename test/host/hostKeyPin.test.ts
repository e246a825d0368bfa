// Pinning the host's SSH key (pulumi-command's `connection.hostKey`) with the key read from the
// instance's console output. Real: OpenSSH's sshd as the host, with ECDSA and Ed25519 host keys as
// Amazon Linux 2023 generates them; cloud-init's own write-ssh-key-fingerprints (Debian's package)
// writing the console text; golang.org/x/crypto/ssh set up as pulumi-command sets it up
// (test/host/sshpin). Stand-ins: a second sshd with its own fresh keys for someone answering in
// the host's place, a syslog socket for the instance's journald (lab/cloudInit.ts), and
// in the end-to-end case moto for EC2, serving that console text (lab/moto_console.py).
// pulumi-command 1.2.1 may or may not restrict the client to the pinned key's algorithm, so every
// connection is tried both ways.
import * as assert from "assert";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import * as fs from "fs";
import * as path from "path";

import {
    authorizedKeyLine,
    HostPublicKey,
    hostKeysFromConsole,
    pinnableHostKey,
} from "../../contract/hostKeys";
import { buildHostKeyCommand } from "../../components/commandLines";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { consoleOutputFor } from "../../lab/cloudInit";
import { region, startMoto } from "../../lab/moto";
import { HostKeyType, SshHost, startSshHost } from "../../lab/sshd";
import { ProcessResult, runProcess } from "../../lab/verifyProcess";

const sshpinBinary = path.join(__dirname, "..", "..", ".tools", "sshpin");
const readerPath = path.join(__dirname, "..", "..", "dist", "host-key.js");

/** "restricted": HostKeyAlgorithms = [pinned type]; "unrestricted": x/crypto's default order. */
type Algorithms = "restricted" | "unrestricted";
const bothModes: Algorithms[] = ["restricted", "unrestricted"];

describe("pinning the host key read from the console output", () => {
    const started: SshHost[] = [];
    const sshpinOutputs: string[] = [];
    let host: SshHost;
    let impostor: SshHost;
    let ed25519Host: SshHost;
    let hostConsole: string;

    async function start(hostKeyTypes: HostKeyType[]): Promise<SshHost> {
        const sshd = await startSshHost({ hostKeyTypes });
        started.push(sshd);
        return sshd;
    }

    before(async () => {
        assert.ok(
            fs.existsSync(sshpinBinary),
            `${sshpinBinary} is missing: run "bash scripts/setup-test-tools.sh sshpin" (it builds test/host/sshpin with Go)`,
        );
        [host, impostor, ed25519Host] = await Promise.all([
            start(["ecdsa", "ed25519"]),
            start(["ecdsa", "ed25519"]),
            start(["ed25519"]),
        ]);
        hostConsole = await consoleOutputFor(host.hostKeyDir);
    });
    after(async () => {
        await Promise.all(started.map((sshd) => sshd.stop()));
    });

    /** The public key sshd serves for `type`, from its .pub file. */
    function servedKey(sshd: SshHost, type: HostKeyType): HostPublicKey {
        const pub = fs.readFileSync(path.join(sshd.hostKeyDir, `ssh_host_${type}_key.pub`), "utf8");
        const [keyType, base64] = pub.trim().split(/\s+/);
        return { type: keyType, base64 };
    }

    /** pulumi-command's client, pinned to `hostKey`, connecting to `sshd` and running `command`. */
    async function sshpin(
        sshd: SshHost,
        hostKey: HostPublicKey,
        algorithms: Algorithms,
        command = "true",
    ): Promise<ProcessResult> {
        const result = await runProcess(
            sshpinBinary,
            [
                "-addr",
                `127.0.0.1:${sshd.port}`,
                "-user",
                sshd.user,
                "-key",
                sshd.clientKeyPath,
                "-host-key",
                authorizedKeyLine(hostKey),
                "-algorithms",
                algorithms,
                "-command",
                command,
            ],
            { PATH: process.env.PATH },
            30_000,
        );
        sshpinOutputs.push(result.stdout, result.stderr);
        return result;
    }

    it("cloud-init's own script prints exactly the host's ECDSA and Ed25519 keys, and ECDSA is pinned", () => {
        // The whole console text, as the serial console gets it: the fingerprints logged through
        // logger -s, then the keys block.
        assert.match(hostConsole, /cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n/);
        assert.match(hostConsole, /\n-----BEGIN SSH HOST KEY KEYS-----\n/);
        assert.match(hostConsole, /\n-----END SSH HOST KEY KEYS-----\n$/);
        assert.doesNotMatch(hostConsole, /logger:/);

        const keys = hostKeysFromConsole(hostConsole);
        assert.deepStrictEqual(keys, [servedKey(host, "ecdsa"), servedKey(host, "ed25519")]);
        const pinned = pinnableHostKey(keys);
        assert.deepStrictEqual(pinned, servedKey(host, "ecdsa"));
        assert.strictEqual(pinned?.type, "ecdsa-sha2-nistp256");
    });

    for (const algorithms of bothModes) {
        it(`the client pinned to the console's key connects and runs the command (${algorithms})`, async () => {
            const pinned = pinnableHostKey(hostKeysFromConsole(hostConsole))!;
            const result = await sshpin(host, pinned, algorithms);
            assert.deepStrictEqual(result, { code: 0, stdout: "", stderr: "" });
            // The exit status is the command's: the session really ran it.
            const failing = await sshpin(host, pinned, algorithms, "false");
            assert.strictEqual(failing.code, 1);
            assert.match(failing.stderr, /^sshpin: Process exited with status 1\n$/);
        });

        it(`a server answering in the host's place with its own keys is refused (${algorithms})`, async () => {
            const pinned = pinnableHostKey(hostKeysFromConsole(hostConsole))!;
            const result = await sshpin(impostor, pinned, algorithms);
            assert.strictEqual(result.code, 1);
            assert.strictEqual(
                result.stderr,
                "sshpin: ssh: handshake failed: ssh: host key mismatch\n",
            );
        });
    }

    it("pinning Ed25519 on an ECDSA + Ed25519 host is refused unrestricted (ECDSA is negotiated), accepted restricted", async () => {
        // Why pinnableHostKey prefers ECDSA: x/crypto asks for ECDSA before Ed25519, so an
        // unrestricted client is shown the ECDSA key and an Ed25519 pin does not match it.
        const ed25519 = hostKeysFromConsole(hostConsole).find((k) => k.type === "ssh-ed25519")!;
        assert.deepStrictEqual(ed25519, servedKey(host, "ed25519"));
        const unrestricted = await sshpin(host, ed25519, "unrestricted");
        assert.strictEqual(unrestricted.code, 1);
        assert.strictEqual(
            unrestricted.stderr,
            "sshpin: ssh: handshake failed: ssh: host key mismatch\n",
        );
        const restricted = await sshpin(host, ed25519, "restricted");
        assert.deepStrictEqual(restricted, { code: 0, stdout: "", stderr: "" });
    });

    it("on an Ed25519-only host the Ed25519 key is pinned and connects both ways", async () => {
        const keys = hostKeysFromConsole(await consoleOutputFor(ed25519Host.hostKeyDir));
        assert.deepStrictEqual(keys, [servedKey(ed25519Host, "ed25519")]);
        const pinned = pinnableHostKey(keys)!;
        assert.strictEqual(pinned.type, "ssh-ed25519");
        for (const algorithms of bothModes) {
            const result = await sshpin(ed25519Host, pinned, algorithms);
            assert.deepStrictEqual(result, { code: 0, stdout: "", stderr: "" }, algorithms);
        }
    });

    it("end to end as deployed: the console through EC2's API (moto), dist/host-key.js as the component runs it, the key it prints pins", async () => {
        const dir = makeTempDir("rolepair-console-");
        const consoleFile = path.join(dir, "console");
        fs.writeFileSync(consoleFile, hostConsole);
        const moto = await startMoto({ consoleFile });
        try {
            const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials: moto.admin });
            const instance = await ec2.send(
                new RunInstancesCommand({ ImageId: "ami-12c6146b", MinCount: 1, MaxCount: 1 }),
            );
            const words = buildHostKeyCommand({
                readerPath,
                instanceId: instance.Instances![0].InstanceId!,
                region,
            }).split(" ");
            const read = await runProcess(process.execPath, words.slice(1), {
                PATH: process.env.PATH,
                HOME: dir,
                AWS_ENDPOINT_URL: moto.endpoint,
                AWS_REGION: region,
                AWS_ACCESS_KEY_ID: moto.admin.accessKeyId,
                AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey,
                AWS_CONFIG_FILE: path.join(dir, "none"),
                AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
            });
            assert.strictEqual(read.code, 0, read.stderr);
            // What pulumi-command gets as connection.hostKey: the reader's stdout, trimmed.
            const [type, base64] = read.stdout.trim().split(" ");
            const hostKey = { type, base64 };
            assert.deepStrictEqual(hostKey, servedKey(host, "ecdsa"));
            for (const algorithms of bothModes) {
                assert.strictEqual((await sshpin(host, hostKey, algorithms)).code, 0, algorithms);
                assert.strictEqual(
                    (await sshpin(impostor, hostKey, algorithms)).code,
                    1,
                    algorithms,
                );
            }
        } finally {
            await moto.stop();
            removeTempDir(dir);
        }
    });

    it("the client never prints a private key", () => {
        assert.ok(sshpinOutputs.length > 0);
        const privateKeys = started.flatMap((sshd) => [
            sshd.clientKeyPath,
            ...fs
                .readdirSync(sshd.hostKeyDir)
                .filter((f) => !f.endsWith(".pub"))
                .map((f) => path.join(sshd.hostKeyDir, f)),
        ]);
        for (const keyPath of privateKeys) {
            const body = fs
                .readFileSync(keyPath, "utf8")
                .split("\n")
                .filter((line) => line !== "" && !line.startsWith("-----"));
            for (const output of sshpinOutputs)
                for (const line of body) assert.ok(!output.includes(line), keyPath);
        }
    });
});
