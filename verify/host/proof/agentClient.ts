// Asking the credential agent as an SDK would: GET its credentials URL with a service's token in
// the Authorization header. The answer is kept whole only long enough to check it; nothing here
// returns or prints a token or a secret.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

import { agentTokenFile } from "../../../contract/credentialAgent";
import type { SessionKeys } from "../stsCredentials";

/** An agent's answer: its HTTP status and, on 200, the credentials it gave. */
export interface AgentAnswer {
    status: number;
    /** The body's JSON error code on a refusal, when it has one. */
    code?: string;
    credentials?: SessionKeys;
    /** True when a refusal's body still held an AccessKeyId (credentials must never come with one). */
    leaked?: boolean;
}

export interface AgentRequest {
    /** Appended to the credentials URL's path: "/other" or "?role=x". */
    suffix?: string;
    headers?: Record<string, string>;
}

/**
 * The agent did not give a usable answer. Its message names no network error code, so that it is
 * not taken for AWS being unreachable; `reason` keeps the code for the diagnosis.
 */
export class AgentError extends Error {
    override name = "AgentError";
    constructor(
        message: string,
        readonly reason: string,
    ) {
        super(message);
    }
}

const reasons: Record<string, string> = {
    ECONNREFUSED: "the connection was refused",
    ECONNRESET: "the connection was reset",
    EHOSTUNREACH: "no route to the address",
    ENETUNREACH: "no route to the address",
    EADDRNOTAVAIL: "the address is not on this host",
};

function agentFailure(url: string, error: NodeJS.ErrnoException): AgentError {
    if (error instanceof AgentError) return error;
    const code = error.code ?? "EAGENT";
    const why = reasons[code] ?? "the request failed";
    return new AgentError(`the credential agent at ${url} gave no answer: ${why}`, code);
}

/** Answers larger than this are not credentials: read no further. */
const maxAnswerBytes = 64 * 1024;
const agentTimeoutMs = 5_000;

/** The token file of a target: the contract's path, or the same name under --agent-token-dir. */
export function tokenFileFor(service: string, directory?: string): string {
    return directory === undefined ? agentTokenFile(service) : path.join(directory, service);
}

/** The token a service's processes send, read as the agent's SDK clients read it (trimmed). */
export function readToken(file: string): string {
    const token = fs.readFileSync(file, "utf8").trim();
    if (token === "") throw new Error(`the token file ${file} is empty`);
    return token;
}

function parseCredentials(body: string): SessionKeys {
    let parsed: Record<string, unknown>;
    try {
        parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
        throw new AgentError("the agent answered 200 with a body that is not JSON", "EBADANSWER");
    }
    const { AccessKeyId, SecretAccessKey, Token, Expiration } = parsed ?? {};
    const missing = Object.entries({ AccessKeyId, SecretAccessKey, Token, Expiration })
        .filter(([, v]) => typeof v !== "string" || v === "")
        .map(([k]) => k);
    if (missing.length > 0) {
        throw new AgentError(`the agent answered 200 without ${missing.join(", ")}`, "EBADANSWER");
    }
    const expiration = new Date(Expiration as string);
    if (Number.isNaN(expiration.getTime())) {
        throw new AgentError(
            "the agent answered 200 with an Expiration that is not a date",
            "EBADANSWER",
        );
    }
    return {
        accessKeyId: AccessKeyId as string,
        secretAccessKey: SecretAccessKey as string,
        sessionToken: Token as string,
        expiration,
    };
}

function refusal(status: number, body: string): AgentAnswer {
    let code: string | undefined;
    try {
        const parsed = JSON.parse(body) as { code?: unknown };
        if (typeof parsed?.code === "string") code = parsed.code.slice(0, 64);
    } catch {
        // A refusal need not be JSON to refuse; the status says it.
    }
    return { status, code, ...(body.includes("AccessKeyId") ? { leaked: true } : {}) };
}

/** GETs the agent's credentials URL (plus `request.suffix`) with `token`, if any, as Authorization. */
export function askAgent(
    url: string,
    token: string | undefined,
    request: AgentRequest = {},
): Promise<AgentAnswer> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...request.headers };
    if (token !== undefined) headers.authorization = token;
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: target.hostname.replace(/^\[|\]$/g, ""),
                port: target.port || 80,
                path: `${target.pathname}${request.suffix ?? ""}`,
                method: "GET",
                headers,
                agent: false,
                timeout: agentTimeoutMs,
            },
            (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size > maxAnswerBytes) {
                        req.destroy(
                            new AgentError(
                                `the agent's answer exceeds ${maxAnswerBytes} bytes`,
                                "EBADANSWER",
                            ),
                        );
                    } else chunks.push(chunk);
                });
                res.on("end", () => {
                    const body = Buffer.concat(chunks).toString("utf8");
                    const status = res.statusCode ?? 0;
                    try {
                        resolve(
                            status === 200
                                ? { status, credentials: parseCredentials(body) }
                                : refusal(status, body),
                        );
                    } catch (error) {
                        reject(error);
                    }
                });
                res.on("error", (error) => reject(agentFailure(url, error)));
            },
        );
        req.on("timeout", () =>
            req.destroy(
                new AgentError(
                    `the credential agent at ${url} gave no answer in ${agentTimeoutMs} ms`,
                    "ETIMEDOUT",
                ),
            ),
        );
        req.on("error", (error) => reject(agentFailure(url, error)));
        req.end();
    });
}
