// SSH public keys made in-process with Node's crypto, in the wire format of RFC 4253 §6.6 (RFC 5656
// for ECDSA, RFC 8709 for Ed25519), so unit tests need no ssh-keygen.
import { generateKeyPairSync } from "crypto";

import type { HostPublicKey } from "../../contract/hostKeys";

/** An SSH string (RFC 4251 §5): a 4-byte big-endian length, then the bytes. */
export function sshString(bytes: Buffer | string): Buffer {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, data]);
}

/** An SSH mpint (RFC 4251 §5): big-endian, a leading zero byte when the top bit is set. */
function mpint(unsigned: Buffer): Buffer {
    return sshString(unsigned[0] & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

export function newHostKey(type: "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ssh-rsa"): HostPublicKey {
    if (type === "ssh-rsa") {
        const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({
            format: "jwk",
        });
        const blob = Buffer.concat([
            sshString(type),
            mpint(Buffer.from(jwk.e!, "base64url")),
            mpint(Buffer.from(jwk.n!, "base64url")),
        ]);
        return { type, base64: blob.toString("base64") };
    }
    if (type === "ssh-ed25519") {
        const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
        const blob = Buffer.concat([sshString(type), sshString(Buffer.from(jwk.x!, "base64url"))]);
        return { type, base64: blob.toString("base64") };
    }
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
        format: "jwk",
    });
    const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, "base64url"),
        Buffer.from(jwk.y!, "base64url"),
    ]);
    const blob = Buffer.concat([sshString(type), sshString("nistp256"), sshString(point)]);
    return { type, base64: blob.toString("base64") };
}
