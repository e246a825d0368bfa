// Runs dist/verify.js as the host would: no static keys in the environment, credentials only
// from the (IMDSv2 double) instance metadata service, AWS reached through AWS_ENDPOINT_URL.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { makeTempDir, removeTempDir } from "./cleanup";

export const bundlePath = path.join(__dirname, "..", "dist", "verify.js");

export interface ProcessResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Every stdout/stderr any verify run produced in this test process, for the leak check. */
export const capturedOutputs: string[] = [];

export interface HostEnvironment {
    imdsEndpoint: string;
    awsEndpoint: string;
    region: string;
    /** Contents of the AWS config file on the "host"; default: none. */
    awsConfig?: string;
}

const hostHomes: string[] = [];

/** Removes every home directory hostEnv made; call it in the suite's `after`. */
export function removeHostHomes(): void {
    for (const home of hostHomes.splice(0)) removeTempDir(home);
}

/**
 * The environment of a process on the host: nothing AWS-related but what an EC2 host has. Its
 * home is a temporary directory; removeHostHomes() deletes them all (and any left go at exit).
 */
export function hostEnv(host: HostEnvironment): NodeJS.ProcessEnv {
    const home = makeTempDir("rolepair-host-");
    hostHomes.push(home);
    const configFile = path.join(home, "aws-config");
    fs.writeFileSync(configFile, host.awsConfig ?? "");
    return {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-credentials-file"),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: host.imdsEndpoint,
        AWS_EC2_METADATA_V1_DISABLED: "true",
        AWS_ENDPOINT_URL: host.awsEndpoint,
        AWS_REGION: host.region,
        NODE_NO_WARNINGS: "1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
}

export function runProcess(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    timeoutMs = 120_000,
    stdin?: string,
    /** Called with all of stderr so far, each time more arrives: a test can act on what the process says. */
    onStderr?: (stderr: string) => void,
): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, {
            env,
            stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
        if (stdin !== undefined) child.stdin?.end(stdin);
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d) => (stdout += d));
        child.stderr?.on("data", (d) => {
            stderr += d;
            onStderr?.(stderr);
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            capturedOutputs.push(stdout, stderr);
            resolve({ code, stdout, stderr });
        });
    });
}

/**
 * Runs the bundle; `stdin` is written to its standard input (for `--targets -`). A run still going
 * after `timeoutMs` is killed and reports code null, so a test can fail on it before mocha's timeout.
 */
export function runVerify(
    args: string[],
    env: NodeJS.ProcessEnv,
    stdin?: string,
    timeoutMs = 120_000,
): Promise<ProcessResult> {
    return runProcess(process.execPath, [bundlePath, ...args], env, timeoutMs, stdin);
}

/**
 * Fails if any captured output holds one of the secrets, a session token (moto's start with
 * FQoGZXIvYXdzE; any token at all is a leak) or an unmasked access key id.
 */
export function assertNoSecretIn(
    outputs: readonly string[],
    secrets: readonly string[],
    minimumOutputs = 11,
): void {
    if (secrets.length < 3 || outputs.length < minimumOutputs) {
        throw new Error("the leak check needs the runs before it: none or too few happened");
    }
    for (const output of outputs) {
        for (const secret of secrets) {
            if (output.includes(secret)) throw new Error("a secret appeared in verify's output");
        }
        if (/FQoGZXIvYXdzE/.test(output)) throw new Error("a session token appeared");
        if (/\b(AKIA|ASIA)[A-Z0-9]{16}\b/.test(output)) {
            throw new Error("an unmasked access key id appeared");
        }
    }
}
