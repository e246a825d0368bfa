// A loopback HTTP server that answers S3 requests from a script, one answer per request in order
// (the last one repeats), after checking each request's SigV4 signature the way S3 does: the
// request is signed again from what arrived, as service s3 with the secret the test knows, and its
// x-amz-content-sha256 must be the payload's hash; a request that fails the check is answered 403
// SignatureDoesNotMatch, as S3 answers it, and takes no scripted answer. It stands in for S3 at
// the wire level, where moto cannot be told to throttle, reset or answer with a proxy's page.
import { HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash } from "crypto";
import * as http from "http";

/** One scripted answer: an HTTP response, or a connection dropped before any answer. */
export type ScriptedAnswer =
    { status: number; body: string; headers?: Record<string, string> } | { reset: true };

export interface SeenRequest {
    method: string;
    path: string;
    query: URLSearchParams;
    host: string;
    userAgent: string;
    contentSha256: string;
    signedHeaders: string[];
    /** Whether the Authorization header matched the signature the server computed. */
    signatureValid: boolean;
}

export const s3Xml = {
    error: (code: string, message = code) =>
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>req-1</RequestId></Error>`,
    listing: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
};

async function signatureMatches(
    req: http.IncomingMessage,
    payload: Buffer,
    secretAccessKey: string,
    region: string,
): Promise<{ valid: boolean; signedHeaders: string[] }> {
    const auth = String(req.headers.authorization ?? "");
    const match =
        /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=(\w+)/.exec(
            auth,
        );
    if (!match) return { valid: false, signedHeaders: [] };
    const [, accessKeyId, , signedList] = match;
    const signedHeaders = signedList.split(";");
    const url = new URL(req.url ?? "/", "http://placeholder");
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? "");
    const amzDate = String(req.headers["x-amz-date"]);
    const signingDate = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const resigned = await new SignatureV4({
        credentials: {
            accessKeyId,
            secretAccessKey,
            sessionToken: headers["x-amz-security-token"],
        },
        region,
        service: "s3",
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: false,
        applyChecksum: false,
    }).sign(
        new HttpRequest({
            method: req.method,
            hostname: "placeholder",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers,
        }),
        { signingDate, unsignableHeaders: new Set(), signableHeaders: new Set(signedHeaders) },
    );
    const payloadHash = createHash("sha256").update(payload).digest("hex");
    const declared = String(req.headers["x-amz-content-sha256"] ?? "");
    return {
        valid:
            String(resigned.headers.authorization) === auth &&
            (declared === payloadHash || declared === "UNSIGNED-PAYLOAD"),
        signedHeaders,
    };
}

export async function startScriptedS3(
    script: ScriptedAnswer[],
    signing: { secretAccessKey: string; region: string },
) {
    const seen: SeenRequest[] = [];
    let scripted = 0;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://placeholder");
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            void signatureMatches(
                req,
                Buffer.concat(chunks),
                signing.secretAccessKey,
                signing.region,
            ).then((checked) => {
                seen.push({
                    method: req.method ?? "",
                    path: url.pathname,
                    query: url.searchParams,
                    host: String(req.headers.host),
                    userAgent: String(req.headers["user-agent"] ?? ""),
                    contentSha256: String(req.headers["x-amz-content-sha256"] ?? ""),
                    signedHeaders: checked.signedHeaders,
                    signatureValid: checked.valid,
                });
                if (!checked.valid) {
                    res.writeHead(403, { "content-type": "application/xml" }).end(
                        s3Xml.error(
                            "SignatureDoesNotMatch",
                            "The request signature we calculated does not match",
                        ),
                    );
                    return;
                }
                const answer = script[Math.min(scripted++, script.length - 1)];
                if ("reset" in answer) {
                    req.socket.destroy();
                    return;
                }
                res.writeHead(answer.status, {
                    "content-type": "application/xml",
                    ...answer.headers,
                }).end(answer.body);
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        seen,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
