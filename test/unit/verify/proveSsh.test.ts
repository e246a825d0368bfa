// What prove hands OpenSSH, seen by a stand-in `ssh` that records its arguments and the pinned
// known_hosts file: the destination after "--" (so no stack output is read as an option), the
// host key written from the parsed key (a .pub line's comment does not shift it), and a publicIp
// that is not an address or DNS name refused before ssh runs at all.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { authorizedKeyLine } from "../../../contract/hostKeys";
import type { ProofTarget } from "../../../contract/proofTarget";
import { readProveInputs } from "../../../verify/operator/prove/outputs";
import { proveOverSsh } from "../../../verify/operator/prove/ssh";
import { newHostKey } from "../../support/sshKeys";

const hostKey = newHostKey("ecdsa-sha2-nistp256");

describe("prove over SSH: what reaches ssh", function () {
    this.timeout(30_000);
    let dir: string;
    let fakeSsh: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-prove-ssh-"));
        fakeSsh = path.join(dir, "ssh");
        // Records argv (one per line) and the known_hosts it was given, then fails as ssh does.
        fs.writeFileSync(
            fakeSsh,
            [
                "#!/bin/sh",
                `printf '%s\\n' "$@" > ${dir}/args`,
                'for a in "$@"; do case "$a" in UserKnownHostsFile=*) cat "${a#UserKnownHostsFile=}" > ' +
                    `${dir}/known_hosts;; esac; done`,
                "cat > /dev/null",
                "echo 'Permission denied (publickey).' >&2",
                "exit 255",
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const target = (fields: Partial<ProofTarget>): ProofTarget => ({
        transport: "ssh",
        instanceId: "i-0123456789abcdef0",
        region: "us-east-1",
        plan: [],
        propagationTimeoutSeconds: 5,
        profilesPath: "/rolepair/p/dev/host/profiles",
        publicIp: "198.51.100.7",
        sshUser: "ec2-user",
        hostKey: authorizedKeyLine(hostKey),
        ...fields,
    });
    const attempt = (fields: Partial<ProofTarget>) =>
        proveOverSsh(target(fields), "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n", {
            port: 2222,
            ssh: fakeSsh,
            bundle: Buffer.from(""),
            progress: () => undefined,
        });

    it('puts "--" right before the destination, and the destination last before the command', async () => {
        const result = await attempt({});
        assert.deepStrictEqual([result.code, result.step], [255, "sync"]);
        const args = fs.readFileSync(path.join(dir, "args"), "utf8").split("\n");
        const at = args.indexOf("198.51.100.7");
        assert.strictEqual(args[at - 1], "--");
        assert.strictEqual(args.filter((a) => a === "--").length, 1);
    });

    it("pins the key itself when the host key line carries a comment", async () => {
        const withComment = `${authorizedKeyLine(hostKey)} root@ip-10-0-0-1.ec2.internal`;
        await attempt({ hostKey: withComment });
        assert.strictEqual(
            fs.readFileSync(path.join(dir, "known_hosts"), "utf8"),
            `rolepair-host ecdsa-sha2-nistp256 ${hostKey.base64}\n`,
        );
    });

    it("refuses a publicIp that ssh would read as an option, or that is no address or name", () => {
        const outputs = (publicIp: string) =>
            JSON.stringify({
                proofTarget: {
                    ...target({ publicIp }),
                    plan: [
                        {
                            name: "a",
                            roleArn: "arn:aws:iam::123456789012:role/a",
                            bucket: "bucket-a",
                        },
                    ],
                },
                sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n",
            });
        for (const bad of ["-Jattacker.example", "-oProxyCommand=sh", "a..b", "host name", "x-"]) {
            assert.throws(
                () => readProveInputs(outputs(bad), "--outputs -"),
                (e: Error) =>
                    e.message
                        .split("\n")
                        .includes(
                            `proofTarget.publicIp: ${JSON.stringify(bad)} is not an IPv4 or IPv6 address or a DNS name`,
                        ),
                bad,
            );
        }
        for (const good of [
            "198.51.100.7",
            "ec2-198-51-100-7.compute-1.amazonaws.com",
            "2001:db8::7",
        ])
            assert.strictEqual(readProveInputs(outputs(good), "--outputs -").target.publicIp, good);
    });
});
