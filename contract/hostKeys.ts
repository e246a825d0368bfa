// Reads an instance's SSH host public keys out of its EC2 console output. On first boot,
// cloud-init's keys_to_console module (on by default, and in Amazon Linux 2023's cloud.cfg) runs
// write-ssh-key-fingerprints, which prints every host public key between two marker lines:
//
//   -----BEGIN SSH HOST KEY KEYS-----
//   ecdsa-sha2-nistp256 AAAAE2VjZHNh... root@ip-10-0-0-1.ec2.internal
//   ssh-ed25519 AAAAC3NzaC1lZDI1NTE5... root@ip-10-0-0-1.ec2.internal
//   -----END SSH HOST KEY KEYS-----
//
// The console is written by the instance and read back through EC2's signed API, so nobody on the
// network between the operator and the host can forge it: a key read here can be pinned.
// Older cloud-init prefixes lines with "ec2: " and serial consoles add CRs, timestamps and other
// processes' output; so a key is taken from anywhere in a line, and kept only when its base64 blob
// decodes to one whole SSH key of the type the line names (a line cut by other output is dropped).

export interface HostPublicKey {
    /** The SSH key type, e.g. "ecdsa-sha2-nistp256". */
    type: string;
    /** The key blob, base64, as in authorized_keys and known_hosts. */
    base64: string;
}

const begin = "-----BEGIN SSH HOST KEY KEYS-----";
const end = "-----END SSH HOST KEY KEYS-----";
const keyPattern = /(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa)\s+([A-Za-z0-9+/]+={0,2})/;

/** The length-prefixed fields of an SSH wire blob (RFC 4253 §5), or undefined if it is cut short. */
function wireFields(blob: Buffer): Buffer[] | undefined {
    const fields: Buffer[] = [];
    for (let at = 0; at < blob.length;) {
        if (at + 4 > blob.length) return undefined;
        const length = blob.readUInt32BE(at);
        if (at + 4 + length > blob.length) return undefined;
        fields.push(blob.subarray(at + 4, at + 4 + length));
        at += 4 + length;
    }
    return fields;
}

/** ECDSA point sizes (uncompressed, RFC 5656 §3.1) by curve. */
const ecdsaPointBytes: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

/**
 * Whether `blob` is one whole public key of `type` (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4):
 * a line cut short by other console output, or a blob of another type, is not.
 */
function isWholeKey(type: string, blob: Buffer): boolean {
    const fields = wireFields(blob);
    if (!fields || fields[0]?.toString("latin1") !== type) return false;
    if (type === "ssh-ed25519") return fields.length === 2 && fields[1].length === 32;
    if (type.startsWith("ecdsa-sha2-")) {
        const curve = type.slice("ecdsa-sha2-".length);
        return (
            fields.length === 3 &&
            fields[1].toString("latin1") === curve &&
            fields[2].length === ecdsaPointBytes[curve] &&
            fields[2][0] === 4
        );
    }
    // ssh-rsa: e and n; n of 1024 bits or more.
    return fields.length === 3 && fields[2].length >= 128;
}

/** Whether cloud-init's key block (both marker lines) is in `console` at all. */
export function hasKeyBlock(console: string): boolean {
    const start = console.indexOf(begin);
    return start >= 0 && console.indexOf(end, start) > start;
}

/** The keys of a console's key block, and the types of key lines in it that were damaged. */
export interface ConsoleKeys {
    keys: HostPublicKey[];
    /** Types named by lines in the block whose key did not survive (cut by other output). */
    damaged: string[];
    /**
     * Why the console cannot say which key is the host's, when it cannot: more than one distinct
     * key block, or more than one key of the type that would be pinned. Nothing may be pinned then.
     */
    ambiguity?: string;
}

/**
 * The complete key blocks of `console`, in order, each as its lines, and how many times a begin
 * marker came inside a block that had not ended. cloud-init never nests its block, so a second
 * begin line inside one is someone else's output, and which lines are the host's cannot be told.
 */
function keyBlocks(console: string): { blocks: string[][]; nestedBegins: number } {
    const blocks: string[][] = [];
    let nestedBegins = 0;
    let current: string[] | undefined;
    for (const line of console.split(/\r?\n|\r/)) {
        if (line.includes(begin)) {
            if (current !== undefined) nestedBegins++;
            current = [];
        } else if (line.includes(end)) {
            if (current !== undefined) blocks.push(current);
            current = undefined;
        } else if (current !== undefined) {
            current.push(line);
        }
    }
    return { blocks, nestedBegins };
}

/** One block's whole keys (each once) and the types of its damaged lines. */
function blockKeys(block: readonly string[]): { keys: HostPublicKey[]; damaged: string[] } {
    const keys: HostPublicKey[] = [];
    const damaged: string[] = [];
    for (const line of block) {
        const match = keyPattern.exec(line);
        if (!match) continue;
        const [, type, base64] = match;
        if (!isWholeKey(type, Buffer.from(base64, "base64"))) damaged.push(type);
        else if (!keys.some((k) => k.base64 === base64)) keys.push({ type, base64 });
    }
    return { keys, damaged: damaged.filter((t) => !keys.some((k) => k.type === t)) };
}

/**
 * The host keys of the last complete block in `console`; no keys when no complete block is there
 * yet. cloud-init prints the block once, on the instance's first boot: the same block printed
 * twice is harmless, but two blocks with different keys, or two keys of the type that would be
 * pinned, mean something else wrote the console, and which key is the host's cannot be told.
 */
export function readConsoleKeys(console: string): ConsoleKeys {
    const found = keyBlocks(console);
    const blocks = found.blocks.map(blockKeys);
    const last = blocks[blocks.length - 1] ?? { keys: [], damaged: [] };
    if (found.nestedBegins > 0) {
        // Fail closed: the lines before the second begin line may be the host's real keys.
        return {
            ...last,
            ambiguity: `a "${begin}" line appears ${found.nestedBegins === 1 ? "once" : `${found.nestedBegins} times`} inside a key block before its "${end}" line (an interleaved or repeated block start), where cloud-init prints one whole block`,
        };
    }
    const signature = (keys: readonly HostPublicKey[]) =>
        keys
            .map((k) => `${k.type} ${k.base64}`)
            .sort()
            .join("\n");
    const distinct = new Set(blocks.map((b) => signature(b.keys))).size;
    if (distinct > 1) {
        return {
            ...last,
            ambiguity: `it holds ${distinct} SSH host key blocks with different keys, where cloud-init prints one, once, on the first boot`,
        };
    }
    const pinnedType = pinPreference.find((type) => last.keys.some((k) => k.type === type));
    const ofType = last.keys.filter((k) => k.type === pinnedType).length;
    if (ofType > 1) {
        return {
            ...last,
            ambiguity: `its key block lists ${ofType} different ${pinnedType} keys, where a host has one key of each type`,
        };
    }
    return last;
}

export function hostKeysFromConsole(console: string): HostPublicKey[] {
    return readConsoleKeys(console).keys;
}

/**
 * Which key to pin: the one pulumi-command's SSH client (Go's golang.org/x/crypto/ssh) will be
 * shown. That client asks for host key algorithms in the order ECDSA, RSA, Ed25519 when nothing
 * restricts it, and the server answers with the first it has a key for; newer pulumi-command
 * releases restrict it to the pinned key's type. An ECDSA key satisfies both, so it comes first
 * (Amazon Linux 2023 generates ECDSA and Ed25519 keys). RSA comes last: restricted to "ssh-rsa"
 * (SHA-1 signatures), OpenSSH 8.8 and newer would refuse the handshake.
 */
export const pinPreference = [
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-ed25519",
    "ssh-rsa",
] as const;

/**
 * The key to pin, or undefined when there is none, or when a more preferred type's line was
 * damaged: pinning the next type could be refused by a client that negotiates the damaged one.
 */
export function pinnableHostKey(
    keys: readonly HostPublicKey[],
    damaged: readonly string[] = [],
): HostPublicKey | undefined {
    for (const type of pinPreference) {
        if (damaged.includes(type)) return undefined;
        const key = keys.find((k) => k.type === type);
        if (key) return key;
    }
    return undefined;
}

/** Key types an operator may pin: those pulumi-command's client and Amazon Linux 2023 agree on. */
export const operatorPinnableTypes = [
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-ed25519",
] as const;

/**
 * A host key given as one line ("<type> <base64> [comment]" as in a .pub file, or a known_hosts
 * line "host1,host2 <type> <base64>"), if it is exactly one plain, whole ECDSA or Ed25519 key.
 * Refused: a known_hosts marker (@revoked, @cert-authority: the line is not a host's key), more
 * than one line or key, and RSA (pulumi-command 1.2.1 restricts the handshake to the pinned key's
 * type, and "ssh-rsa" is SHA-1 signatures, which Amazon Linux 2023's OpenSSH refuses).
 */
export function parseHostKeyLine(line: string): HostPublicKey | undefined {
    const text = line.trim();
    if (text === "" || /[\r\n]/.test(text) || text.startsWith("@")) return undefined;
    const words = text.split(/\s+/);
    // Any word that names a key type starts a key; there must be one, first or after the hosts.
    const typed = words.flatMap((word, i) => (keyTypeWord.test(word) ? [i] : []));
    if (typed.length !== 1 || typed[0] > 1) return undefined;
    const [type, base64] = words.slice(typed[0], typed[0] + 2);
    if (!(operatorPinnableTypes as readonly string[]).includes(type)) return undefined;
    if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
    if (!isWholeKey(type, Buffer.from(base64, "base64"))) return undefined;
    // No second key hidden in the comment: no other word decodes to a whole key either.
    const others = words.filter(
        (word, i) => i !== typed[0] + 1 && /^AAAA[A-Za-z0-9+/]+={0,2}$/.test(word),
    );
    if (others.some((word) => wholeKeyOfAnyType(word))) return undefined;
    return { type, base64 };
}

/** A word naming an SSH key type, including certificate and security-key types. */
const keyTypeWord =
    /^(?:ssh-(?:ed25519|ed448|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9-]+@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)$/;

function wholeKeyOfAnyType(base64: string): boolean {
    const fields = wireFields(Buffer.from(base64, "base64"));
    return fields !== undefined && fields.length >= 2;
}

/** The authorized_keys form pulumi-command's `hostKey` takes: "<type> <base64>". */
export function authorizedKeyLine(key: HostPublicKey): string {
    return `${key.type} ${key.base64}`;
}
