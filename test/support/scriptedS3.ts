// A loopback HTTP server that answers S3 requests from a script, one answer per request in order
// (the last one repeats), and checks each request's SigV4 signature the way S3 does: the request
// is signed again from what arrived, with the secret the test knows. It stands in for S3 at the
// wire level, where moto cannot be told to throttle, reset or answer with a proxy's page.
import { HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import * as http from "http";

/** One scripted answer: an HTTP response, or a connection dropped before any answer. */
export type ScriptedAnswer =
    { status: number; body: string; headers?: Record<string, string> } | { reset: true };

export interface SeenRequest {
    method: string;
    path: string;
    query: URLSearchParams;
    host: string;
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
    secretAccessKey: string,
    region: string,
): Promise<{ valid: boolean; signedHeaders: string[] }> {
    const auth = String(req.headers.authorization ?? "");
    const match =
        /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=(\w+)/.exec(
            auth,
        );
    if (!match) return { valid: false, signedHeaders: [] };
    const [, accessKeyId, service, signedList] = match;
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
        service,
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
    return {
        valid: String(resigned.headers.authorization) === auth,
        signedHeaders,
    };
}

export async function startScriptedS3(
    script: ScriptedAnswer[],
    signing: { secretAccessKey: string; region: string },
) {
    const seen: SeenRequest[] = [];
    let arrived = 0;
    const server = http.createServer((req, res) => {
        const answer = script[Math.min(arrived++, script.length - 1)];
        const url = new URL(req.url ?? "/", "http://placeholder");
        req.resume();
        void signatureMatches(req, signing.secretAccessKey, signing.region).then((checked) => {
            seen.push({
                method: req.method ?? "",
                path: url.pathname,
                query: url.searchParams,
                host: String(req.headers.host),
                signedHeaders: checked.signedHeaders,
                signatureValid: checked.valid,
            });
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
