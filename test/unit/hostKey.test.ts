// The host-key reader: which key it takes from a console, how it polls GetConsoleOutput, and what
// it says when there is nothing to pin. The real cloud-init script and a real SSH client are in the
// host layer (test/host/hostKeyPin.test.ts); the EC2 API itself in the emulator layer.
import * as assert from "assert";
import type { EC2Client } from "@aws-sdk/client-ec2";

import {
    authorizedKeyLine,
    hostKeysFromConsole,
    parseHostKeyLine,
    pinnableHostKey,
    readConsoleKeys,
    type HostPublicKey,
} from "../../contract/hostKeys";
import { parseHostKeyArgs } from "../../verify/operator/hostKey/args";
import { fingerprint, HostKeyError, readHostKey } from "../../verify/operator/hostKey/reader";
import { newHostKey } from "../support/sshKeys";

const ecdsa = newHostKey("ecdsa-sha2-nistp256");
const ed25519 = newHostKey("ssh-ed25519");
const line = (k: HostPublicKey) => `${authorizedKeyLine(k)} root@ip-10-0-132-36.ec2.internal`;

/** The shape Amazon Linux 2023 (cloud-init 22.2.2) prints: tagged fingerprints, bare key lines. */
function al2023Console(keys: HostPublicKey[], eol = "\r\n"): string {
    return [
        "[    7.512345] cloud-init[1975]: Cloud-init v. 22.2.2 running 'modules:final'",
        "ci-info: no authorized SSH keys fingerprints found for user ec2-user.",
        "<14>Nov 29 12:00:01 cloud-init: #############################################################",
        "<14>Nov 29 12:00:01 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
        "<14>Nov 29 12:00:01 cloud-init: 256 SHA256:EtfOdo... root@ip-10-0-132-36 (ECDSA)",
        "<14>Nov 29 12:00:01 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----",
        "-----BEGIN SSH HOST KEY KEYS-----",
        ...keys.map(line),
        "-----END SSH HOST KEY KEYS-----",
        "[    8.090254] cloud-init[1975]: Cloud-init v. 22.2.2 finished",
        "",
    ].join(eol);
}

describe("host key from the console output", () => {
    it("reads Amazon Linux 2023's block (CRLF, tagged lines around it) and pins ECDSA", () => {
        const keys = hostKeysFromConsole(al2023Console([ecdsa, ed25519]));
        assert.deepStrictEqual(keys, [ecdsa, ed25519]);
        assert.deepStrictEqual(pinnableHostKey(keys), ecdsa);
    });

    it('reads key lines older cloud-init prefixed with "ec2: "', () => {
        const text = al2023Console([ed25519, ecdsa], "\n")
            .split("\n")
            .map((l) => `ec2: ${l}`)
            .join("\n");
        assert.deepStrictEqual(hostKeysFromConsole(text), [ed25519, ecdsa]);
    });

    it("pins Ed25519 when the host has no ECDSA key, and nothing when it has no key at all", () => {
        assert.deepStrictEqual(
            pinnableHostKey(hostKeysFromConsole(al2023Console([ed25519]))),
            ed25519,
        );
        assert.strictEqual(pinnableHostKey(hostKeysFromConsole(al2023Console([]))), undefined);
    });

    it("waits for a complete block: a block without its end line yields nothing yet", () => {
        const cut = al2023Console([ecdsa, ed25519]).split("-----END")[0];
        assert.deepStrictEqual(hostKeysFromConsole(cut), []);
        assert.deepStrictEqual(hostKeysFromConsole("Linux version 6.1 ...\nbooting\n"), []);
    });

    it("accepts the same block printed twice", () => {
        const text = al2023Console([ecdsa, ed25519]) + al2023Console([ed25519, ecdsa]);
        assert.deepStrictEqual(readConsoleKeys(text), { keys: [ed25519, ecdsa], damaged: [] });
    });

    it("finds it ambiguous when two blocks differ, or a block has two keys of the pinned type", () => {
        const forged = newHostKey("ecdsa-sha2-nistp256");
        assert.match(
            String(readConsoleKeys(al2023Console([ecdsa]) + al2023Console([forged])).ambiguity),
            /^it holds 2 SSH host key blocks with different keys/,
        );
        assert.match(
            String(readConsoleKeys(al2023Console([ecdsa, forged, ed25519])).ambiguity),
            /^its key block lists 2 different ecdsa-sha2-nistp256 keys/,
        );
        // Two keys of a type that is not pinned (Ed25519 beside ECDSA) do not decide the pin.
        const ed2 = newHostKey("ssh-ed25519");
        assert.strictEqual(
            readConsoleKeys(al2023Console([ecdsa, ed25519, ed2])).ambiguity,
            undefined,
        );
    });

    it("refuses a second begin line inside the real block, the real keys before it or not", () => {
        const forged = newHostKey("ecdsa-sha2-nistp256");
        const beginLine = "-----BEGIN SSH HOST KEY KEYS-----";
        // The forger's begin line comes after the host's real key, then the forged key, then the
        // host's own end line: read naively, the one complete block holds only the forged key.
        const text = al2023Console([ecdsa, ed25519]).replace(
            `${line(ecdsa)}\r\n`,
            `${line(ecdsa)}\r\n${beginLine}\r\n${line(forged)}\r\n`,
        );
        const read = readConsoleKeys(text);
        assert.match(
            String(read.ambiguity),
            /^a "-----BEGIN SSH HOST KEY KEYS-----" line appears once inside a key block before its "-----END SSH HOST KEY KEYS-----" line \(an interleaved or repeated block start\)/,
        );
        // A begin line repeated at the very start of the block is refused the same way.
        const repeated = al2023Console([ecdsa]).replace(beginLine, `${beginLine}\r\n${beginLine}`);
        assert.match(
            String(readConsoleKeys(repeated).ambiguity),
            /appears once inside a key block/,
        );
    });

    it("drops a line whose blob is not a key of the type it names, or was cut by other output", () => {
        const mislabelled = `ssh-ed25519 ${ecdsa.base64} root@x`;
        const cut = `ecdsa-sha2-nistp256 ${ecdsa.base64.slice(0, 20)}[   9.1] random: crng init done`;
        // Cut where the base64 still decodes to a well-formed prefix (type name, then part of the key).
        const cutEd = `ssh-ed25519 ${ed25519.base64.slice(0, 40)}[   12.345678] cloud-init[1234]: finished`;
        const text = al2023Console([ed25519]).replace(
            line(ed25519),
            `${mislabelled}\r\n${cut}\r\n${cutEd}\r\n${line(ed25519)}`,
        );
        assert.deepStrictEqual(hostKeysFromConsole(text), [ed25519]);
    });

    it("ignores keys outside the block", () => {
        const text = `${line(ecdsa)}\n${al2023Console([ed25519])}${line(ecdsa)}\n`;
        assert.deepStrictEqual(hostKeysFromConsole(text), [ed25519]);
    });

    it("fingerprints a key as ssh-keygen -l does", () => {
        // The expected value is what ssh-keygen -l printed for this key (lab/pulumiMocks.ts).
        const [type, base64] =
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMATxbfK6wMTxnHcgvNUsuZgvSDV5tY4P2/Jpatd6gsDgDpaNnStcge00K3Vt+ELow1D283BkExRrrfN+g5KzTM=".split(
                " ",
            );
        assert.strictEqual(
            fingerprint({ type, base64 }),
            "SHA256:izN12L7b06ZJdXT0CGnzvVmOjzoT7/GSBPDXi+xhetk",
        );
    });
});

/** A fake EC2 client: answers GetConsoleOutput from `answers` in turn (the last one repeats). */
function fakeEc2(answers: (string | Error)[]) {
    const calls: { InstanceId?: string; Latest?: boolean }[] = [];
    const client = {
        send: async (command: { input: { InstanceId?: string; Latest?: boolean } }) => {
            calls.push(command.input);
            const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
            if (answer instanceof Error) throw answer;
            return { Output: Buffer.from(answer).toString("base64") };
        },
    } as unknown as Pick<EC2Client, "send">;
    return { client, calls };
}

function awsError(name: string, message = name): Error {
    return Object.assign(new Error(message), { name });
}

/** A clock the reader's sleeps advance, so a 60-second wait takes no time. */
function fakeClock() {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const options = { instanceId: "i-0123456789abcdef0", timeoutSeconds: 60, pollSeconds: 5 };

/** Runs the reader on a fake EC2 client answering `answers`, on a fake clock. */
async function read(answers: (string | Error)[], readOptions = options) {
    const { client, calls } = fakeEc2(answers);
    const clock = fakeClock();
    const progress: string[] = [];
    const outcome = await readHostKey(
        client,
        readOptions,
        (l) => progress.push(l),
        clock.sleep,
        clock.now,
    ).then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => {
            assert.ok(error instanceof HostKeyError, String(error));
            return { result: undefined, error };
        },
    );
    return { ...outcome, calls, progress, elapsedMs: clock.now() };
}

/** The reader's HostKeyError for `answers` (failing the test when it found a key). */
async function failure(answers: (string | Error)[], readOptions = options) {
    const run = await read(answers, readOptions);
    assert.ok(run.error, `expected no key, got ${JSON.stringify(run.result?.key)}`);
    return { ...run, error: run.error };
}

describe("host key reader (GetConsoleOutput polling)", () => {
    for (const [label, text] of [
        [
            "a forged block after the real one",
            () => al2023Console([ecdsa]) + al2023Console([newHostKey("ecdsa-sha2-nistp256")]),
        ],
        [
            "a forged ECDSA line inside the real block",
            () => al2023Console([ecdsa, newHostKey("ecdsa-sha2-nistp256"), ed25519]),
        ],
    ] as const) {
        it(`refuses at once, with the diagnosis and ways out, given ${label}`, async () => {
            const run = await failure([text(), al2023Console([ecdsa])]);
            assert.strictEqual(run.calls.length, 1, "no second poll: waiting cannot resolve it");
            assert.strictEqual(run.error.exitCode, 1);
            assert.match(
                run.error.message,
                /^the console output of i-0123456789abcdef0 cannot say which SSH host key is the host's: .*nothing is pinned\.\n/,
            );
            assert.match(run.error.message, /give the key yourself: pulumi config set sshHostKey/);
            assert.match(
                run.error.message,
                /prove without SSH: pulumi config set verifyTransport ssm/,
            );
        });
    }

    it("polls the live console until cloud-init has printed the keys", async () => {
        const run = await read(["", "Linux version 6.1\n", al2023Console([ecdsa, ed25519])]);
        assert.deepStrictEqual(run.result?.key, ecdsa);
        assert.strictEqual(run.calls.length, 3);
        assert.ok(run.calls.every((c) => c.InstanceId === options.instanceId && c.Latest === true));
        assert.strictEqual(run.elapsedMs, 10_000, "two 5-second waits");
        assert.match(
            run.progress[0],
            /waiting for cloud-init to print i-0123456789abcdef0's SSH host keys/,
        );
    });

    it("falls back to the posted console on an instance type that is not Nitro", async () => {
        const unsupported = awsError(
            "UnsupportedOperation",
            "This instance type does not support retrieving the latest console logs",
        );
        const run = await read([unsupported, al2023Console([ed25519])]);
        assert.deepStrictEqual(run.result?.key, ed25519);
        assert.deepStrictEqual(
            run.calls.map((c) => c.Latest),
            [true, false],
        );
        assert.match(run.progress[0], /not a Nitro instance/);
    });

    it("stops at once when the deployer may not read the console, naming the permission", async () => {
        const { error, calls } = await failure([
            awsError("UnauthorizedOperation", "You are not authorized to perform this operation."),
        ]);
        assert.strictEqual(error.exitCode, 3);
        assert.match(error.message, /UnauthorizedOperation/);
        assert.match(error.message, /need ec2:GetConsoleOutput on i-0123456789abcdef0/);
        assert.strictEqual(calls.length, 1);
    });

    it("gives up at the deadline, saying what the console showed and what to do instead", async () => {
        const cases: [string[], RegExp][] = [
            [[""], /EC2 returned no console output for i-0123456789abcdef0 in 60 s/],
            [
                ["Linux version 6.1\n"],
                /has no "BEGIN SSH HOST KEY KEYS" block in 60 s.*rebooted since.*keys_to_console off/s,
            ],
            [
                [
                    "-----BEGIN SSH HOST KEY KEYS-----\nssh-dss AAAAB3NzaC1kc3M= root@x\n-----END SSH HOST KEY KEYS-----\n",
                ],
                /lists SSH host keys, but none of a type pulumi-command can pin/,
            ],
        ];
        for (const [answers, expected] of cases) {
            const { error, calls, elapsedMs } = await failure(answers);
            assert.strictEqual(error.exitCode, 1);
            assert.match(error.message, expected);
            assert.match(
                error.message,
                /pulumi config set verifyTransport ssm && pulumi config rm sshIngressCidr/,
            );
            assert.match(error.message, /pulumi config set sshHostKey/);
            assert.match(error.message, /pulumi up --replace/);
            assert.strictEqual(elapsedMs, 60_000);
            assert.strictEqual(calls.length, 13, "a read every 5 s, and one at the deadline");
        }
    });

    it("reports an error that persisted to the deadline as the reason (exit 3)", async () => {
        const { error } = await failure([
            awsError("RequestLimitExceeded", "Request limit exceeded."),
        ]);
        assert.strictEqual(error.exitCode, 3);
        assert.match(
            error.message,
            /could not read the console output of i-0123456789abcdef0 in 60 s: RequestLimitExceeded/,
        );
    });

    it("stops at once when there are no usable credentials (nothing a wait could cure)", async () => {
        for (const name of ["CredentialsProviderError", "ExpiredToken", "AuthFailure"]) {
            const { error, calls } = await failure([awsError(name, "Could not load credentials")]);
            assert.strictEqual(error.exitCode, 3);
            assert.match(error.message, new RegExp(`^${name}: .*\nNo usable AWS credentials`));
            assert.strictEqual(calls.length, 1, name);
        }
    });

    it("an instance still unknown after the grace period means other credentials: said after 60 s, not at the deadline", async () => {
        const notFound = awsError(
            "InvalidInstanceID.NotFound",
            "The instance ID 'i-0123456789abcdef0' does not exist",
        );
        const { error, elapsedMs } = await failure([notFound], { ...options, timeoutSeconds: 900 });
        assert.strictEqual(error.exitCode, 3);
        assert.match(
            error.message,
            /still does not know i-0123456789abcdef0 after 60 s: these credentials reach another account or region/,
        );
        assert.match(error.message, /aws:assumeRole is not followed/);
        assert.strictEqual(elapsedMs, 60_000);
    });

    it("does not pin Ed25519 when the ECDSA line was cut by other output: waits for a whole block", async () => {
        const cutEcdsa = al2023Console([ecdsa, ed25519]).replace(
            line(ecdsa),
            `ecdsa-sha2-nistp256 ${ecdsa.base64.slice(0, 60)}[   12.3] random: crng init done`,
        );
        assert.deepStrictEqual(
            pinnableHostKey(hostKeysFromConsole(cutEcdsa)),
            ed25519,
            "without the damage known",
        );
        const later = await read([cutEcdsa, al2023Console([ecdsa, ed25519])]);
        assert.deepStrictEqual(later.result?.key, ecdsa);
        const { error } = await failure([cutEcdsa]);
        assert.match(
            error.message,
            /the ecdsa-sha2-nistp256 key line in the console output of i-0123456789abcdef0 was cut by other output/,
        );
    });

    it("rides out an instance EC2 does not know yet (eventual consistency)", async () => {
        const notYet = awsError("InvalidInstanceID.NotFound");
        const run = await read([notYet, notYet, al2023Console([ecdsa])]);
        assert.deepStrictEqual(run.result?.key, ecdsa);
    });
});

describe("host key reader flags", () => {
    it("takes --flag value and --flag=value, with defaults", () => {
        assert.deepStrictEqual(
            parseHostKeyArgs(["--instance-id=i-0123456789abcdef0", "--region", "eu-west-1"]),
            {
                instanceId: "i-0123456789abcdef0",
                region: "eu-west-1",
                timeoutSeconds: 900,
                pollSeconds: 5,
            },
        );
    });

    it("reports every usage error at once", () => {
        assert.throws(
            () => parseHostKeyArgs(["--instance-id", "x", "--timeout", "0", "--bogus"]),
            (error: Error) => {
                const lines = error.message.split("\n");
                assert.deepStrictEqual(lines, [
                    "--bogus: unknown flag; accepted: --instance-id, --region, --timeout, --poll-interval",
                    '--instance-id: got "x"; expected an instance id such as i-0123456789abcdef0',
                    "--region: is required",
                    '--timeout: got "0"; expected an integer from 1 to 3600',
                ]);
                return true;
            },
        );
    });
});

describe("a host key given by the operator (sshHostKey)", () => {
    it("takes a .pub line, a known_hosts line, or tab-separated fields, and keeps type and blob", () => {
        for (const given of [
            `${authorizedKeyLine(ecdsa)} root@ip-10-0-0-1`,
            `ec2-198-51-100-10.compute-1.amazonaws.com,198.51.100.10 ${authorizedKeyLine(ecdsa)}`,
            `ecdsa-sha2-nistp256\t${ecdsa.base64}\n`,
        ]) {
            assert.deepStrictEqual(parseHostKeyLine(given), ecdsa, given);
        }
    });

    it("refuses what is not one whole key", () => {
        for (const given of [
            `ssh-ed25519 ${ed25519.base64.slice(0, 40)}`,
            `ssh-ed25519 ${ecdsa.base64}`,
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "SHA256:izN12L7b06ZJdXT0CGnzvVmOjzoT7/GSBPDXi+xhetk",
        ]) {
            assert.strictEqual(parseHostKeyLine(given), undefined, given);
        }
    });
});
