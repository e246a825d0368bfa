// sshHostKey accepts exactly one plain ECDSA or Ed25519 key: pulumi-command 1.2.1 restricts the
// handshake to the pinned key's type and Amazon Linux 2023 refuses ssh-rsa, known_hosts markers
// change what a line means, and a second key would make "the" pinned key ambiguous. A key given
// where no proof runs (verify false, like verifyTransport ssm) would do nothing, so it is refused.
import * as assert from "assert";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { authorizedKeyLine, parseHostKeyLine } from "../../contract/hostKeys";
import { baseArgs } from "../support/component";
import { newHostKey } from "../support/sshKeys";
import { refusedConstruction } from "../support/refusal";

const ecdsa = newHostKey("ecdsa-sha2-nistp256");
const ed25519 = newHostKey("ssh-ed25519");
const rsa = newHostKey("ssh-rsa");

describe("sshHostKey: exactly one plain ECDSA or Ed25519 key", () => {
    it("accepts a .pub line of either type, and a known_hosts line without a marker", () => {
        for (const [given, key] of [
            [`${authorizedKeyLine(ecdsa)} root@ip-10-0-0-1`, ecdsa],
            [`${authorizedKeyLine(ed25519)}\n`, ed25519],
            [
                `ec2-198-51-100-10.compute-1.amazonaws.com,198.51.100.10 ${authorizedKeyLine(ecdsa)}`,
                ecdsa,
            ],
        ] as const) {
            assert.deepStrictEqual(parseHostKeyLine(given), key, given);
        }
    });

    const refusals: [string, string][] = [
        ["an @revoked line", `@revoked * ${authorizedKeyLine(ecdsa)}`],
        ["an @cert-authority line", `@cert-authority *.example.com ${authorizedKeyLine(ed25519)}`],
        ["two keys on one line", `${authorizedKeyLine(ecdsa)} ${authorizedKeyLine(ed25519)}`],
        ["two keys on two lines", `${authorizedKeyLine(ecdsa)}\n${authorizedKeyLine(ed25519)}`],
        ["a second blob in the comment", `${authorizedKeyLine(ecdsa)} ${ed25519.base64}`],
        ["an RSA key (2048 bits)", `${authorizedKeyLine(rsa)} root@host`],
    ];
    for (const [label, given] of refusals) {
        it(`refuses ${label}, and the component registers nothing`, async () => {
            assert.strictEqual(parseHostKeyLine(given), undefined);
            const result = await refusedConstruction(
                () => new AssumableRolePair("pair", { ...baseArgs, sshHostKey: given }),
            );
            assert.match(
                result.message,
                /^Invalid sshHostKey: \(.*characters, not shown\)\. Accepted: exactly one host public key on one line, .* of type ecdsa-sha2-nistp256\/384\/521 or ssh-ed25519, .*not an @revoked or @cert-authority line, not two keys, not ssh-rsa/,
            );
            assert.strictEqual(result.registered, 0);
        });
    }

    it("refuses sshHostKey beside verify false, as beside verifyTransport ssm", async () => {
        const result = await refusedConstruction(
            () =>
                new AssumableRolePair("pair", {
                    verify: false,
                    sshHostKey: authorizedKeyLine(ecdsa),
                }),
        );
        assert.match(
            result.message,
            /^Invalid sshHostKey: "ecdsa-sha2-nistp256 AAAA.*"\. Accepted: nothing with verify false: the key is pinned only by the proof's SSH connection/,
        );
        assert.strictEqual(result.registered, 0);
    });
});
