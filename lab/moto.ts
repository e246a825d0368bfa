// Starts and stops a moto server (a real AWS API emulator) with IAM enforcement on.
//
// Enforcement: moto lets the first INITIAL_NO_AUTH_ACTION_COUNT requests through unauthenticated and
// enforces IAM on every request after them. We spend exactly those requests creating an admin user
// with an access key, and use that key for everything else.
import {
    CreateAccessKeyCommand,
    CreateUserCommand,
    IAMClient,
    PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, spawnGroup } from "./cleanup";
import { onFreePort, serverListening } from "./serverProcess";

export const region = "us-east-1";
export const accountId = "123456789012";

export interface StaticCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

export interface Moto {
    endpoint: string;
    admin: StaticCredentials;
    adminArn: string;
    /** The server's process id (its own process group). */
    pid: number;
    /** The server's TMPDIR and HOME, removed when it stops (or when this process exits). */
    tempDir: string;
    stop(): Promise<void>;
}

export function motoServerPath(): string {
    const local = path.join(__dirname, "..", ".venv", "bin", "moto_server");
    const chosen = process.env.MOTO_SERVER ?? local;
    if (!fs.existsSync(chosen)) {
        throw new Error(
            `moto_server not found at ${chosen}: run "bash scripts/setup-test-tools.sh" first`,
        );
    }
    return chosen;
}

const bootstrapRequests = 3;

export interface MotoOptions {
    /**
     * Serve GetConsoleOutput from this file (lab/moto_console.py) instead of moto's
     * canned boot log.
     */
    consoleFile?: string;
}

export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
    const { port, child, stop, tempDir } = await onFreePort((port) => spawnMoto(port, options));
    const endpoint = `http://127.0.0.1:${port}`;

    // The three unauthenticated requests: an admin user, its policy, its key.
    const bootstrap = new IAMClient({
        endpoint,
        region,
        credentials: { accessKeyId: "AKIABOOTSTRAPONLY000", secretAccessKey: "bootstrap" },
    });
    await bootstrap.send(new CreateUserCommand({ UserName: "admin" }));
    await bootstrap.send(
        new PutUserPolicyCommand({
            UserName: "admin",
            PolicyName: "admin",
            PolicyDocument: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
            }),
        }),
    );
    const key = (await bootstrap.send(new CreateAccessKeyCommand({ UserName: "admin" }))).AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey)
        throw new Error("moto returned no admin access key");
    return {
        endpoint,
        admin: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey },
        adminArn: `arn:aws:iam::${accountId}:user/admin`,
        pid: child.pid as number,
        tempDir,
        stop,
    };
}

async function spawnMoto(port: number, options: MotoOptions) {
    const tempDir = makeTempDir("rolepair-moto-");
    const server = motoServerPath();
    const [command, args] = options.consoleFile
        ? [path.join(path.dirname(server), "python"), [path.join(__dirname, "moto_console.py")]]
        : [server, []];
    const child: ChildProcess = spawnGroup(
        command,
        [...args, "-H", "127.0.0.1", "-p", String(port)],
        {
            env: {
                ...process.env,
                ...(options.consoleFile ? { ROLEPAIR_CONSOLE_FILE: options.consoleFile } : {}),
                INITIAL_NO_AUTH_ACTION_COUNT: String(bootstrapRequests),
                TMPDIR: tempDir,
                HOME: tempDir,
            },
            stdio: ["ignore", "ignore", "pipe"],
        },
    );
    const stop = await serverListening("moto", child, port, 30_000, tempDir);
    return { port, child, stop, tempDir };
}

/** The emulator admin's S3 client; path-style, as moto serves every bucket on one host. */
export function adminS3Client(moto: Moto): S3Client {
    return new S3Client({
        endpoint: moto.endpoint,
        region,
        credentials: moto.admin,
        forcePathStyle: true,
    });
}
