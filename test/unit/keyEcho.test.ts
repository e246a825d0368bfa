// A value that fails a key check is never printed whole: a private key pasted into sshPublicKey or
// sshHostKey (even with --secret) would otherwise reach the terminal JSON-escaped, where the CLI's
// masking of secrets (which matches the raw text) cannot find it.
import * as assert from "assert";
import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { baseArgs } from "../support/component";
import { refusedConstruction, refusedProgram } from "../support/refusal";

/** A fresh OpenSSH-format private key, as `ssh-keygen` writes it to ~/.ssh/id_ed25519. */
function openSshPrivateKey(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-key-"));
    try {
        const file = path.join(dir, "id_ed25519");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
        return fs.readFileSync(file, "utf8");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const privateKeys: [string, string][] = [
    ["an OpenSSH private key", openSshPrivateKey()],
    [
        "a PEM (PKCS#8) private key",
        generateKeyPairSync("ed25519").privateKey.export({
            format: "pem",
            type: "pkcs8",
        }) as string,
    ],
    [
        "an RSA (PKCS#1) private key",
        generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
            format: "pem",
            type: "pkcs1",
        }) as string,
    ],
];

/** Every 12-character run of the key's base64 body: none may appear in a message. */
function bodyPieces(key: string): string[] {
    const body = key
        .split("\n")
        .filter((line) => !line.startsWith("-----"))
        .join("");
    const pieces: string[] = [];
    for (let at = 0; at + 12 <= body.length; at += 6) pieces.push(body.slice(at, at + 12));
    return pieces;
}

function assertNothingOfKey(message: string, key: string) {
    assert.doesNotMatch(message, /BEGIN|PRIVATE/);
    for (const piece of bodyPieces(key)) {
        assert.ok(!message.includes(piece), `the message shows ${piece} of the key: ${message}`);
    }
}

describe("key checks never echo the rejected value", () => {
    for (const [label, key] of privateKeys) {
        for (const input of ["sshPublicKey", "sshHostKey"] as const) {
            it(`${label} pasted into ${input}: not shown, not even a piece`, async () => {
                const args =
                    input === "sshPublicKey"
                        ? { ...baseArgs, sshPublicKey: key, sshPrivateKey: "x" }
                        : { ...baseArgs, sshHostKey: key };
                const { message, registered } = await refusedConstruction(
                    () => new AssumableRolePair("pair", args),
                );
                assert.match(
                    message,
                    new RegExp(
                        `^Invalid ${input}: \\(a value that looks like a private key, not shown\\)\\. Accepted: `,
                    ),
                );
                assertNothingOfKey(message, key);
                assert.strictEqual(registered, 0);
            });
        }
        it(`${label}'s body alone (no armour lines) in sshHostKey: not shown`, async () => {
            const body = key
                .split("\n")
                .filter((line) => !line.startsWith("-----"))
                .join("\n");
            const { message } = await refusedConstruction(
                () => new AssumableRolePair("pair", { ...baseArgs, sshHostKey: body }),
            );
            assertNothingOfKey(message, key);
        });
    }

    it("a private key set with --secret as sshPublicKey through the stack config: not shown", async () => {
        const [, key] = privateKeys[0];
        const { message, registered } = await refusedProgram(
            "dev",
            { "rolepair:sshPublicKey": key, "rolepair:sshPrivateKey": key },
            ["sshPublicKey", "sshPrivateKey"],
        );
        assert.match(message, /^Invalid sshPublicKey: \(a value that looks like a private key/);
        assertNothingOfKey(message, key);
        assert.strictEqual(registered, 0);
    });

    it("a broken public key: its type word and length, not its blob", async () => {
        const value = `ssh-ed25519 ${"QUJD".repeat(30)}!! me@laptop`;
        const { message } = await refusedConstruction(
            () =>
                new AssumableRolePair("pair", {
                    ...baseArgs,
                    sshPublicKey: value,
                    sshPrivateKey: "x",
                }),
        );
        assert.match(
            message,
            new RegExp(
                `^Invalid sshPublicKey: \\("ssh-ed25519 …", ${value.length} characters, not shown\\)\\. Accepted: an OpenSSH public key line`,
            ),
        );
        assert.ok(!message.includes("QUJDQUJD"), message);
    });
});
