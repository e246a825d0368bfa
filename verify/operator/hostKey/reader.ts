// Polls an instance's EC2 console output until cloud-init has printed its SSH host keys, and picks
// the one to pin. Nitro instances serve the live console (Latest); older types only what EC2 posts
// after boot, which can take minutes, so the reader falls back to that and keeps polling.
import { exitCodes } from "../../cli/exitCodes";
import { GetConsoleOutputCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { createHash } from "crypto";

import { describeError, errorName, isAccessDenied } from "../../cli/errors";
import {
    hasKeyBlock,
    pinnableHostKey,
    readConsoleKeys,
    type HostPublicKey,
} from "../../../contract/hostKeys";

export interface ReadOptions {
    instanceId: string;
    timeoutSeconds: number;
    pollSeconds: number;
}

/** Why no key could be pinned; `exitCode` 1 for "not there in time", 3 for "could not ask". */
export class HostKeyError extends Error {
    constructor(
        message: string,
        public readonly exitCode: typeof exitCodes.failed | typeof exitCodes.couldNotRun,
    ) {
        super(message);
        this.name = "HostKeyError";
    }
}

/** The fingerprint `ssh-keygen -l` prints (SHA256:<unpadded base64 of the blob's digest>). */
export function fingerprint(key: HostPublicKey): string {
    const digest = createHash("sha256").update(Buffer.from(key.base64, "base64")).digest("base64");
    return `SHA256:${digest.replace(/=+$/, "")}`;
}

type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the console looked like at the last poll, for the diagnosis when time runs out. */
type Seen =
    { state: "nothing" | "no-block" | "no-usable-key" } | { state: "damaged"; types: string[] };

/** Errors no wait will cure: the credentials themselves are missing, expired or refused. */
const credentialErrors = new Set([
    "CredentialsProviderError",
    "AuthFailure",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
]);

/** What a console without a pinnable key showed, for the diagnosis at the deadline. */
function whatWasSeen(text: string, damaged: string[]): Seen {
    if (damaged.length > 0) return { state: "damaged", types: damaged };
    if (text.trim() === "") return { state: "nothing" };
    return { state: hasKeyBlock(text) ? "no-usable-key" : "no-block" };
}

/**
 * An error that waiting cannot cure (no permission, no credentials, an instance EC2 still does
 * not know after the grace period), as the HostKeyError to stop with; undefined to try again.
 */
function lastingReadError(
    error: unknown,
    options: ReadOptions,
    elapsedMs: number,
): HostKeyError | undefined {
    const name = errorName(error);
    if (name === "UnauthorizedOperation" || isAccessDenied(error))
        return new HostKeyError(
            `${describeError(error)}\nThe credentials running this (those of \`pulumi up\`) need ec2:GetConsoleOutput on ${options.instanceId} to read its SSH host key.`,
            exitCodes.couldNotRun,
        );
    if (credentialErrors.has(name))
        return new HostKeyError(
            `${describeError(error)}\nNo usable AWS credentials: this runs on your machine with the default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...), the account and region \`pulumi up\` deploys to.`,
            exitCodes.couldNotRun,
        );
    if (name === "InvalidInstanceID.NotFound" && elapsedMs >= notFoundGraceSeconds * 1000)
        return new HostKeyError(
            `${describeError(error)}\nEC2 still does not know ${options.instanceId} after ${notFoundGraceSeconds} s: these credentials reach another account or region than the aws provider. The default chain is used (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...); a provider-level aws:assumeRole is not followed. ${alternatives}`,
            exitCodes.couldNotRun,
        );
    return undefined;
}

/**
 * How long an instance may be unknown to GetConsoleOutput: Pulumi created it just before, so for
 * a moment (EC2's eventual consistency); longer means these credentials see another account or
 * region than the aws provider does.
 */
export const notFoundGraceSeconds = 60;

export async function readHostKey(
    ec2: Pick<EC2Client, "send">,
    options: ReadOptions,
    progress: (line: string) => void,
    sleep: Sleep = realSleep,
    now: () => number = Date.now,
): Promise<{ key: HostPublicKey; all: HostPublicKey[] }> {
    const start = now();
    const deadline = start + options.timeoutSeconds * 1000;
    let latest = true;
    let seen: Seen = { state: "nothing" };
    let lastError: string | undefined;
    for (let attempt = 1; ; attempt++) {
        try {
            const out = await ec2.send(
                new GetConsoleOutputCommand({ InstanceId: options.instanceId, Latest: latest }),
            );
            lastError = undefined;
            const text = Buffer.from(out.Output ?? "", "base64").toString("utf8");
            const { keys, damaged, ambiguity } = readConsoleKeys(text);
            if (ambiguity !== undefined)
                // Fail closed at once: waiting cannot make a second key block go away.
                throw new HostKeyError(
                    `the console output of ${options.instanceId} cannot say which SSH host key is the host's: ${ambiguity}. Something other than cloud-init wrote to it (during first boot only root can), so nothing is pinned.\n${alternatives}`,
                    exitCodes.failed,
                );
            const key = pinnableHostKey(keys, damaged);
            if (key) return { key, all: keys };
            seen = whatWasSeen(text, damaged);
        } catch (error) {
            if (error instanceof HostKeyError) throw error;
            const name = errorName(error);
            if (name === "UnsupportedOperation" && latest) {
                // Only Nitro instances serve the live console; others post theirs after boot.
                latest = false;
                progress(
                    `${options.instanceId} is not a Nitro instance: waiting for the console output EC2 posts after boot (this can take several minutes)`,
                );
                continue;
            }
            const fatal = lastingReadError(error, options, now() - start);
            if (fatal) throw fatal;
            // Throttling, a dropped connection, an instance EC2 does not know yet: try again,
            // and report the error if it lasts to the deadline.
            lastError = describeError(error);
        }
        if (now() >= deadline) break;
        if (attempt === 1 || attempt % 6 === 0)
            progress(
                `waiting for cloud-init to print ${options.instanceId}'s SSH host keys to its console`,
            );
        await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - now())));
    }
    throw new HostKeyError(
        diagnosis(options, seen, lastError),
        lastError ? exitCodes.couldNotRun : exitCodes.failed,
    );
}

/** What a user can do instead, said once for every way of not finding the key. */
const alternatives = [
    "Nothing was sent to the host: without a key from a channel nobody can forge, it cannot be told from an impostor. Instead:",
    '  - give the key yourself: pulumi config set sshHostKey "$(cat ssh_host_ecdsa_key.pub)", with the host\'s /etc/ssh/ssh_host_ecdsa_key.pub read over a channel you trust (the EC2 serial console, Session Manager);',
    "  - or prove without SSH: pulumi config set verifyTransport ssm && pulumi config rm sshIngressCidr;",
    "  - or replace the host (pulumi up --replace <its URN>): its first boot prints the keys again.",
].join("\n");

function diagnosis(options: ReadOptions, seen: Seen, lastError: string | undefined): string {
    const id = options.instanceId;
    const waited = `in ${options.timeoutSeconds} s`;
    let what: string;
    if (lastError) what = `could not read the console output of ${id} ${waited}: ${lastError}`;
    else if (seen.state === "nothing")
        what = `EC2 returned no console output for ${id} ${waited}. Instance types not built on the Nitro System post it only after boot, sometimes many minutes later, and keep it for about an hour.`;
    else if (seen.state === "damaged")
        what = `the ${seen.types.join(", ")} key line in the console output of ${id} was cut by other output, and pinning another type could be refused by pulumi-command's client.`;
    else if (seen.state === "no-usable-key")
        what = `the console output of ${id} lists SSH host keys, but none of a type pulumi-command can pin (ECDSA, Ed25519, RSA) in one piece.`;
    else
        what = `the console output of ${id} has no "BEGIN SSH HOST KEY KEYS" block ${waited}. cloud-init prints it once, at the end of an instance's first boot: it is missing when that boot has not finished, on a host that has rebooted since (its new boot log can push the block out of the 64 KB EC2 keeps), or when the AMI or user data turns keys_to_console off.`;
    return `${what}\n${alternatives}`;
}
