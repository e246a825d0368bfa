// credential_process for AWS_PROFILE users: reads the user's own token file, asks the agent, and
// prints the process-credentials JSON (Version 1) the SDKs and the CLI read from stdout.
import * as fs from "fs";
import * as http from "http";

export const defaultAgentUrl = "http://169.254.170.23/v1/credentials";

export interface ProcessCredentials {
    Version: 1;
    AccessKeyId: string;
    SecretAccessKey: string;
    SessionToken: string;
    Expiration: string;
}

function get(url: string, token: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { headers: { authorization: token }, timeout: 5000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
        req.on("error", reject);
    });
}

/** The credentials for the token in `tokenFile`, from the agent at `agentUrl`. */
export async function fetchProcessCredentials(
    tokenFile: string,
    agentUrl = defaultAgentUrl,
): Promise<ProcessCredentials> {
    let token: string;
    try {
        token = fs.readFileSync(tokenFile, "utf8").replace(/\s+$/, "");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "error";
        throw new Error(`--token-file ${tokenFile} cannot be read (${code})`);
    }
    if (!/^http:\/\/[^/]+\/v1\/credentials$/.test(agentUrl)) {
        throw new Error(
            `--agent ${agentUrl} is not an agent URL (http://HOST[:PORT]/v1/credentials)`,
        );
    }
    const { status, body } = await get(agentUrl, token);
    let parsed: Record<string, unknown>;
    try {
        parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
        throw new Error(`the agent at ${agentUrl} answered ${status} without JSON`);
    }
    if (status !== 200) {
        throw new Error(
            `the agent at ${agentUrl} refused: ${status} ${String(parsed.code)}: ${String(parsed.message)}`,
        );
    }
    const field = (key: string) => {
        if (typeof parsed[key] !== "string") throw new Error(`the agent's answer lacks ${key}`);
        return parsed[key] as string;
    };
    return {
        Version: 1,
        AccessKeyId: field("AccessKeyId"),
        SecretAccessKey: field("SecretAccessKey"),
        SessionToken: field("Token"),
        Expiration: field("Expiration"),
    };
}
