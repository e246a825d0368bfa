// The HTTP side: GET /v1/credentials with the service's token in Authorization, and nothing else.
// Every refusal is a small JSON {code, message} that never repeats what the caller sent.
import * as http from "http";

import { CredentialCache, describeError } from "./cache";
import type { TokenIndex } from "./tokens";

export const credentialsPath = "/v1/credentials";

/** Limits that keep one bad client from costing the others: header bytes, slow senders, sockets. */
export const serverLimits = {
    maxHeaderSize: 8192,
    headersTimeoutMs: 5_000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    /** How often Node checks the two timeouts above; its default (30 s) lets a slow sender stay. */
    timeoutCheckMs: 1_000,
    maxConnections: 2048,
} as const;

export interface AgentState {
    readonly tokens: TokenIndex;
    readonly cache: CredentialCache;
    /** The last reload was refused: every request with a token gets a 503 until one succeeds. */
    readonly refused?: boolean;
}

export interface ServerOptions {
    /** The current configuration (replaced on reload). */
    readonly state: () => AgentState;
    readonly log: (line: string) => void;
}

function reply(res: http.ServerResponse, status: number, body: object): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        "cache-control": "no-store",
    });
    res.end(text);
}

function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
    reply(res, status, { code, message });
}

/** Answers one request; exported for tests that call it without a socket. */
export async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    options: ServerOptions,
): Promise<void> {
    if (req.url !== credentialsPath) {
        const path = (req.url ?? "").split("?")[0];
        if (path === credentialsPath) {
            refuse(res, 400, "InvalidRequest", "the credentials path takes no query string");
        } else {
            refuse(res, 404, "NotFound", `only ${credentialsPath} is served`);
        }
        return;
    }
    if (req.method !== "GET") {
        res.setHeader("allow", "GET");
        refuse(res, 405, "MethodNotAllowed", "only GET is served");
        return;
    }
    const hasBody =
        req.headers["transfer-encoding"] !== undefined ||
        (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
    if (hasBody) {
        refuse(res, 400, "InvalidRequest", "a credentials request has no body");
        return;
    }
    const authorization = req.headersDistinct.authorization ?? [];
    if (authorization.length > 1) {
        refuse(res, 400, "InvalidRequest", "more than one Authorization header");
        return;
    }
    if (authorization.length === 0 || authorization[0] === "") {
        refuse(
            res,
            401,
            "Unauthorized",
            "an Authorization header with the service's token is required",
        );
        return;
    }
    const { tokens, cache, refused } = options.state();
    if (refused === true) {
        refuse(
            res,
            503,
            "ServicesFileRefused",
            "the agent's services file could not be loaded; no service is served until it is fixed (the agent's log names the problem)",
        );
        return;
    }
    const service = tokens.find(authorization[0]);
    if (service === undefined) {
        refuse(res, 403, "Forbidden", "the token is not any configured service's");
        return;
    }
    try {
        const c = await cache.get(service);
        reply(res, 200, {
            AccessKeyId: c.accessKeyId,
            SecretAccessKey: c.secretAccessKey,
            Token: c.sessionToken,
            Expiration: c.expiration.toISOString(),
        });
    } catch (error) {
        options.log(`credentials for ${service.name} unavailable: ${describeError(error)}`);
        refuse(
            res,
            502,
            "CredentialsUnavailable",
            `the role for ${service.name} could not be assumed; try again`,
        );
    }
}

/** The agent's HTTP server, with the limits above; not yet listening. */
export function createAgentServer(options: ServerOptions): http.Server {
    const server = http.createServer(
        {
            maxHeaderSize: serverLimits.maxHeaderSize,
            requestTimeout: serverLimits.requestTimeoutMs,
            connectionsCheckingInterval: serverLimits.timeoutCheckMs,
        },
        (req, res) => {
            // A request body is never read; discarding it keeps the socket usable.
            req.resume();
            handle(req, res, options).catch((error) => {
                options.log(`request failed: ${describeError(error)}`);
                if (!res.headersSent) refuse(res, 500, "InternalError", "the agent failed");
                else res.destroy();
            });
        },
    );
    server.headersTimeout = serverLimits.headersTimeoutMs;
    server.keepAliveTimeout = serverLimits.keepAliveTimeoutMs;
    server.maxConnections = serverLimits.maxConnections;
    server.on("clientError", (_error, socket) => {
        // Malformed requests, oversize headers and slow senders: a bare 400 (431 for headers, 408
        // for a request not sent in time) and close.
        if (socket.writable) {
            const code = (_error as NodeJS.ErrnoException).code;
            const status =
                code === "HPE_HEADER_OVERFLOW"
                    ? "431 Request Header Fields Too Large"
                    : code === "ERR_HTTP_REQUEST_TIMEOUT"
                      ? "408 Request Timeout"
                      : "400 Bad Request";
            socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
        } else {
            socket.destroy();
        }
    });
    return server;
}
