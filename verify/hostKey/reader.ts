// Polls an instance's EC2 console output until cloud-init has printed its SSH host keys, and picks
// the one to pin. Nitro instances serve the live console (Latest); older types only what EC2 posts
// after boot, which can take minutes, so the reader falls back to that and keeps polling.
import { GetConsoleOutputCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { createHash } from "crypto";

import { describeError, errorName, isAccessDenied } from "../errors";
import {
    hasKeyBlock,
    hostKeysFromConsole,
    pinnableHostKey,
    type HostPublicKey,
} from "./consoleKeys";

export interface ReadOptions {
    instanceId: string;
    timeoutSeconds: number;
    pollSeconds: number;
}

/** Why no key could be pinned; `exitCode` 1 for "not there in time", 3 for "could not ask". */
export class HostKeyError extends Error {
    constructor(
        message: string,
        public readonly exitCode: 1 | 3,
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
type Seen = "nothing" | "no-block" | "no-usable-key";

export async function readHostKey(
    ec2: Pick<EC2Client, "send">,
    options: ReadOptions,
    progress: (line: string) => void,
    sleep: Sleep = realSleep,
    now: () => number = Date.now,
): Promise<{ key: HostPublicKey; all: HostPublicKey[] }> {
    const deadline = now() + options.timeoutSeconds * 1000;
    let latest = true;
    let seen: Seen = "nothing";
    let lastError: string | undefined;
    for (let attempt = 1; ; attempt++) {
        try {
            const out = await ec2.send(
                new GetConsoleOutputCommand({ InstanceId: options.instanceId, Latest: latest }),
            );
            lastError = undefined;
            const text = Buffer.from(out.Output ?? "", "base64").toString("utf8");
            const all = hostKeysFromConsole(text);
            const key = pinnableHostKey(all);
            if (key) return { key, all };
            seen =
                text.trim() === "" ? "nothing" : hasKeyBlock(text) ? "no-usable-key" : "no-block";
        } catch (error) {
            const name = errorName(error);
            if (name === "UnsupportedOperation" && latest) {
                // Only Nitro instances serve the live console; others post theirs after boot.
                latest = false;
                progress(
                    `${options.instanceId} is not a Nitro instance: waiting for the console output EC2 posts after boot (this can take several minutes)`,
                );
                continue;
            }
            if (name === "UnauthorizedOperation" || isAccessDenied(error))
                throw new HostKeyError(
                    `${describeError(error)}\nThe credentials running this (those of \`pulumi up\`) need ec2:GetConsoleOutput on ${options.instanceId} to read its SSH host key.`,
                    3,
                );
            // A new instance can be unknown to GetConsoleOutput for a moment (eventual
            // consistency); anything else the SDK could not retry is reported if it persists.
            lastError = describeError(error);
        }
        if (now() >= deadline) break;
        if (attempt === 1 || attempt % 6 === 0)
            progress(
                `waiting for cloud-init to print ${options.instanceId}'s SSH host keys to its console`,
            );
        await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - now())));
    }
    throw new HostKeyError(diagnosis(options, seen, lastError), lastError ? 3 : 1);
}

function diagnosis(options: ReadOptions, seen: Seen, lastError: string | undefined): string {
    const waited = `in ${options.timeoutSeconds} s`;
    const instead =
        'Without a key read from the console the host cannot be told from an impostor, so nothing was sent to it. To prove the host without SSH, set verifyTransport to "ssm" (rolepair:verifyTransport ssm).';
    if (lastError)
        return `could not read the console output of ${options.instanceId} ${waited}: ${lastError}\n${instead}`;
    if (seen === "nothing")
        return `EC2 returned no console output for ${options.instanceId} ${waited}. Instance types not built on the Nitro System post it only after boot, sometimes many minutes later: wait and run \`pulumi up\` again.\n${instead}`;
    if (seen === "no-usable-key")
        return `the console output of ${options.instanceId} lists SSH host keys, but none of a type pulumi-command can pin (ECDSA, Ed25519, RSA) in one piece.\n${instead}`;
    return `the console output of ${options.instanceId} has no "BEGIN SSH HOST KEY KEYS" block ${waited}. cloud-init's keys_to_console module prints it at the end of the first boot; it is missing when that boot has not finished, when the AMI or user data turns the module off (ssh.emit_keys_to_console: false), or when later output pushed it out of the 64 KB EC2 keeps.\n${instead}`;
}
