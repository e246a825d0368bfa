// The SSH wire-format checks behind every pinned host key (contract/hostKeys.ts): a key line,
// from the console or from the operator, is kept only when its base64 blob is one whole public key
// of the type the line names (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4). A blob that is cut, that
// declares more than it holds, or whose type string, curve or point does not match, is refused:
// pinning it would make the deploy's SSH client refuse the real host, or trust the wrong one.
import * as assert from "assert";

import {
    hasKeyBlock,
    parseHostKeyLine,
    pinnableHostKey,
    readConsoleKeys,
    type HostPublicKey,
} from "../../../contract/hostKeys";
import { newHostKey, sshString } from "../../support/sshKeys";

const begin = "-----BEGIN SSH HOST KEY KEYS-----";
const end = "-----END SSH HOST KEY KEYS-----";

/** A console holding one key block with these lines. */
const consoleWith = (...lines: string[]) =>
    ["cloud-init: booting", begin, ...lines, end, "cloud-init: finished", ""].join("\n");

const base64 = (...fields: (Buffer | string)[]) =>
    Buffer.concat(fields.map((f) => sshString(f))).toString("base64");

/** Bytes that are not a real key's, but have its size: the checks are on the format only. */
const bytes = (length: number, first = 0x11) =>
    Buffer.concat([Buffer.from([first]), Buffer.alloc(length - 1, 0x5a)]);

/** Whether a key line is kept: from the console, and (ECDSA and Ed25519 only) from the operator. */
function kept(type: string, blob: string): boolean {
    const fromConsole = readConsoleKeys(consoleWith(`${type} ${blob} root@host`)).keys;
    const consoleKeeps = fromConsole.length === 1 && fromConsole[0].base64 === blob;
    if (type !== "ssh-rsa") {
        const fromOperator = parseHostKeyLine(`${type} ${blob}`);
        assert.strictEqual(
            fromOperator !== undefined,
            consoleKeeps,
            `console and operator disagree on ${type} ${blob}`,
        );
    }
    return consoleKeeps;
}

describe("host key blobs: one whole key of the type the line names", () => {
    const ed25519 = "ssh-ed25519";
    const p256 = "ecdsa-sha2-nistp256";

    it("keeps an Ed25519 blob of its type string and a 32-byte key, and nothing else", () => {
        assert.ok(kept(ed25519, base64(ed25519, bytes(32))));
        assert.ok(!kept(ed25519, base64(ed25519, bytes(31))), "31-byte key");
        assert.ok(!kept(ed25519, base64(ed25519, bytes(33))), "33-byte key");
        assert.ok(!kept(ed25519, base64(ed25519)), "no key field");
        assert.ok(!kept(ed25519, base64(ed25519, bytes(32), bytes(4))), "a third field");
        assert.ok(!kept(ed25519, base64("ssh-ed448", bytes(32))), "another type string");
    });

    it("keeps an ECDSA blob of its type, its curve and an uncompressed point of the curve's size", () => {
        for (const [curve, point] of [
            ["nistp256", 65],
            ["nistp384", 97],
            ["nistp521", 133],
        ] as const) {
            const type = `ecdsa-sha2-${curve}`;
            assert.ok(kept(type, base64(type, curve, bytes(point, 4))), type);
            assert.ok(!kept(type, base64(type, curve, bytes(point - 1, 4))), `${type} short point`);
            assert.ok(!kept(type, base64(type, curve, bytes(point + 1, 4))), `${type} long point`);
        }
        const point = bytes(65, 4);
        assert.ok(!kept(p256, base64(p256, "nistp384", point)), "another curve name");
        assert.ok(!kept(p256, base64("ecdsa-sha2-nistp384", "nistp256", point)), "type string");
        assert.ok(!kept(p256, base64(p256, "nistp256", bytes(65, 2))), "compressed point");
        assert.ok(!kept(p256, base64(p256, "nistp256")), "no point");
        assert.ok(!kept(p256, base64(p256, "nistp256", point, bytes(4))), "a fourth field");
    });

    it("keeps an RSA key from the console when its modulus has 1024 bits or more", () => {
        const rsa = "ssh-rsa";
        const e = Buffer.from([1, 0, 1]);
        assert.ok(kept(rsa, newHostKey(rsa).base64), "2048 bits");
        assert.ok(kept(rsa, base64(rsa, e, bytes(128))), "1024 bits");
        assert.ok(!kept(rsa, base64(rsa, e, bytes(127))), "1016 bits");
        assert.ok(!kept(rsa, base64(rsa, e)), "no modulus");
        assert.ok(!kept(rsa, base64(rsa, e, bytes(256), bytes(4))), "a fourth field");
    });

    it("refuses a blob that declares more than it holds, or ends inside a length", () => {
        // The key's length says 40 where 32 bytes follow: a line cut short that still parses.
        const declared = Buffer.concat([sshString(ed25519), Buffer.from([0, 0, 0, 40]), bytes(32)]);
        assert.ok(!kept(ed25519, declared.toString("base64")), "declared 40, holds 32");
        const whole = Buffer.from(base64(ed25519, bytes(32)), "base64");
        for (const tail of [1, 2, 3]) {
            const blob = Buffer.concat([whole, Buffer.alloc(tail)]).toString("base64");
            assert.ok(!kept(ed25519, blob), `${tail} stray bytes after the key`);
        }
        // "A" is valid base64 for no bytes at all: no type string to compare.
        assert.ok(!kept(ed25519, "A"), "an empty blob");
    });
});

describe("host key blocks in the console", () => {
    const ecdsa = newHostKey("ecdsa-sha2-nistp256");
    const ed25519 = newHostKey("ssh-ed25519");
    const line = (k: HostPublicKey) => `${k.type} ${k.base64} root@host`;
    const cut = (k: HostPublicKey) => `${k.type} ${k.base64.slice(0, 40)}[ 9.1] random: crng init`;

    it("has a key block only when both marker lines are there, in order", () => {
        assert.strictEqual(hasKeyBlock(consoleWith(line(ecdsa))), true);
        assert.strictEqual(hasKeyBlock(`${begin}\n${line(ecdsa)}\n`), false, "no end line");
        assert.strictEqual(hasKeyBlock(`${end}\nbooting\n`), false, "only an end line");
        assert.strictEqual(hasKeyBlock(`${end}\n${begin}\n`), false, "end before begin");
        assert.strictEqual(hasKeyBlock("booting\n"), false, "no marker");
    });

    it("reads the block after a stray end line, and each key once", () => {
        const text = `${end}\n${consoleWith(line(ecdsa), line(ed25519), line(ecdsa))}`;
        assert.deepStrictEqual(readConsoleKeys(text), { keys: [ecdsa, ed25519], damaged: [] });
    });

    it("reports a damaged line's type only when no whole key of that type is in the block", () => {
        assert.deepStrictEqual(readConsoleKeys(consoleWith(cut(ecdsa), line(ed25519))), {
            keys: [ed25519],
            damaged: ["ecdsa-sha2-nistp256"],
        });
        assert.deepStrictEqual(
            readConsoleKeys(consoleWith(line(ecdsa), cut(ed25519), line(ed25519))),
            { keys: [ecdsa, ed25519], damaged: [] },
        );
    });

    it("finds two different keys of the pinned type ambiguous, Ed25519 when the host has no ECDSA key", () => {
        const other = newHostKey("ssh-ed25519");
        assert.match(
            String(readConsoleKeys(consoleWith(line(ed25519), line(other))).ambiguity),
            /^its key block lists 2 different ssh-ed25519 keys/,
        );
    });

    it("pins by preference, not by the order of the lines", () => {
        assert.deepStrictEqual(pinnableHostKey([ed25519, ecdsa]), ecdsa);
        assert.deepStrictEqual(pinnableHostKey([ed25519]), ed25519);
        assert.strictEqual(pinnableHostKey([ed25519], ["ecdsa-sha2-nistp256"]), undefined);
    });
});

describe("a host key line from the operator: exactly one key, nothing that changes its meaning", () => {
    const ecdsa = newHostKey("ecdsa-sha2-nistp256");
    const key = `${ecdsa.type} ${ecdsa.base64}`;

    it("takes fields separated by any run of blanks, and a comment word that is not a key", () => {
        for (const given of [
            `${ecdsa.type}  \t ${ecdsa.base64}`,
            `${key} AAAAnot-a-key`,
            // One SSH string ("ssh-ed25519") is a type name, not a key.
            `${key} ${base64("ssh-ed25519")}`,
        ]) {
            assert.deepStrictEqual(parseHostKeyLine(given), ecdsa, given);
        }
    });

    it("refuses a marker line, a line break inside, a key type in the comment, or more than one host field", () => {
        for (const given of [
            `@cert-authority ${key}`,
            `@revoked ${key}`,
            `${key}\nroot@host`,
            `host\r${key}`,
            `${key} ssh-ed25519`,
            `host1 host2 ${key}`,
        ]) {
            assert.strictEqual(parseHostKeyLine(given), undefined, JSON.stringify(given));
        }
    });

    it("refuses a blob with a character base64 does not have, though Node would decode around it", () => {
        for (const blob of [`${ecdsa.base64}!`, `!${ecdsa.base64}`, `${ecdsa.base64}*`]) {
            assert.strictEqual(parseHostKeyLine(`${ecdsa.type} ${blob}`), undefined, blob);
        }
    });
});
