// The proof's denied listings (the host's own role on each bucket, every service on every other
// bucket: N² in all) sent without the SDK's middleware stack. A ListObjectsV2 through S3Client
// costs about 3 ms of CPU on a small host (serialization schemas, endpoint rules, a new signer and
// its signing key per request, the error's deserializer), about three times what the same signed
// request costs here (bench: "the SDK alone" against "the listing probe"), and a proof of 30
// services makes 900 of them. What is skipped is only the SDK's generic plumbing: the request is the one
// S3Client would send, built from the client's own parts (its resolved credentials, its endpoint
// rules via getEndpointFromInstructions, the SDK's SignatureV4, its request handler with the
// proof's keep-alive agents and timeouts, its retry strategy with the SDK's error classification),
// and a failure is thrown as the S3ServiceException the SDK would throw (name from S3's <Code>,
// HTTP status in $metadata). Anything this path does not handle goes to S3Client itself: an
// endpoint whose auth scheme is not plain SigV4 (S3 Express, multi-region access points), and a
// clock-skew answer, which the SDK corrects by measuring the server's clock.
import { ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { getEndpointFromInstructions } from "@smithy/core/endpoints";
import {
    getRetryAfterHint,
    isClockSkewError,
    isServerError,
    isThrottlingError,
    isTransientError,
} from "@smithy/core/retry";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpResponse, RetryErrorInfo, RetryErrorType } from "@smithy/types";
import type { Readable } from "stream";

import type { RequestPool } from "./requestPool";

/** What a listing answered: S3's refusal, or a page (which, for a denial check, is a leak). */
export type ListingAnswer = "AccessDenied" | "listed";

interface ResolvedRequest {
    url: URL;
    headers: Record<string, string>;
    signer: SignatureV4;
}

/** The first auth scheme S3's endpoint rules name for the bucket; plain SigV4 is the only one signed here. */
interface AuthScheme {
    name?: string;
    signingName?: string;
    signingRegion?: string;
}

/** One probe per S3Client (one set of credentials): its endpoints and signers are kept per bucket. */
export class ListingProbe {
    private readonly resolved = new Map<string, Promise<ResolvedRequest | undefined>>();
    private readonly signers = new Map<string, SignatureV4>();

    constructor(
        readonly client: S3Client,
        private readonly pool?: RequestPool,
    ) {}

    /**
     * ListObjectsV2 (one key) on the bucket with the client's credentials. Resolves "AccessDenied"
     * for S3's AccessDenied and "listed" for a page; throws what the SDK would throw for anything
     * else, once the client's retry strategy gives up.
     */
    async list(bucket: string): Promise<ListingAnswer> {
        const request = await this.requestFor(bucket);
        if (!request) return this.listWithSdk(bucket);
        try {
            return await this.withRetries(() => this.attempt(request));
        } catch (error) {
            if (isClockSkewError(error as never)) return this.listWithSdk(bucket);
            throw error;
        }
    }

    /** The same listing through S3Client's full middleware stack. */
    async listWithSdk(bucket: string): Promise<ListingAnswer> {
        try {
            await this.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
            return "listed";
        } catch (error) {
            if ((error as Error).name === "AccessDenied") return "AccessDenied";
            throw error;
        }
    }

    private requestFor(bucket: string): Promise<ResolvedRequest | undefined> {
        let resolved = this.resolved.get(bucket);
        if (!resolved) {
            resolved = this.resolve(bucket);
            this.resolved.set(bucket, resolved);
        }
        return resolved;
    }

    /** The endpoint S3Client would use for this bucket, from the client's config and S3's rules. */
    private async resolve(bucket: string): Promise<ResolvedRequest | undefined> {
        // A copy, as the SDK's endpoint middleware passes: the lookup may write to the config.
        const endpoint = await getEndpointFromInstructions(
            { Bucket: bucket },
            ListObjectsV2Command,
            { ...this.client.config } as never,
        );
        const scheme = (endpoint.properties?.authSchemes as AuthScheme[] | undefined)?.[0];
        if (scheme && scheme.name !== "sigv4") return undefined;
        // The SDK's user agent (an S3 or VPC endpoint policy may test aws:UserAgent), without the
        // per-request feature codes; sections written as the SDK writes them (api/ in lower case).
        const userAgent = (await this.client.config.defaultUserAgentProvider())
            .map(([name, version]) => {
                const section = name.startsWith("api/") ? name.toLowerCase() : name;
                if (!version) return section;
                return `${section}${section.includes("/") ? "#" : "/"}${version}`;
            })
            .join(" ");
        const headers: Record<string, string> = { "user-agent": userAgent };
        for (const [name, values] of Object.entries(endpoint.headers ?? {}))
            headers[name] = values.join(", ");
        const region = scheme?.signingRegion ?? (await this.client.config.region());
        const service = scheme?.signingName ?? "s3";
        return { url: endpoint.url, headers, signer: this.signerFor(region, service) };
    }

    /** One signer per region and service: it keeps its signing key for the day. */
    private signerFor(region: string, service: string): SignatureV4 {
        const key = `${region}/${service}`;
        let signer = this.signers.get(key);
        if (!signer) {
            signer = new SignatureV4({
                credentials: this.client.config.credentials,
                region,
                service,
                sha256: this.client.config.sha256,
                // As S3Client signs: the path as sent, and the payload's hash in a header.
                uriEscapePath: false,
                applyChecksum: true,
            });
            this.signers.set(key, signer);
        }
        return signer;
    }

    /** The client's retry strategy around each attempt, as the SDK's retry middleware runs it. */
    private async withRetries(attempt: () => Promise<ListingAnswer>): Promise<ListingAnswer> {
        const strategy = await this.client.config.retryStrategy();
        if (!("acquireInitialRetryToken" in strategy))
            throw new Error("retry strategy v2 expected");
        let token = await strategy.acquireInitialRetryToken("");
        let attempts = 0;
        let totalRetryDelay = 0;
        for (;;) {
            attempts++;
            try {
                const answer = await attempt();
                // To S3Client, AccessDenied is an error: it gives the retry quota nothing back.
                if (answer === "listed") strategy.recordSuccess(token);
                return answer;
            } catch (error) {
                const info: RetryErrorInfo = { errorType: errorTypeOf(error) };
                const retryAfterHint = getRetryAfterHint(
                    (error as { $response?: HttpResponse }).$response,
                );
                if (retryAfterHint) info.retryAfterHint = retryAfterHint;
                try {
                    token = await strategy.refreshRetryTokenForRetry(token, info);
                } catch {
                    const failed = error as { $metadata?: Record<string, unknown> };
                    if (failed && typeof failed === "object") {
                        failed.$metadata ??= {};
                        Object.assign(failed.$metadata, { attempts, totalRetryDelay });
                    }
                    throw error;
                }
                const delay = token.getRetryDelay();
                const acquisition =
                    (token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog
                        ?.acquisitionDelay ?? 0;
                totalRetryDelay += acquisition + delay;
                if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
            }
        }
    }

    /** One signed request on the wire, holding a slot of the proof's pool until its answer is read. */
    private async attempt(request: ResolvedRequest): Promise<ListingAnswer> {
        const send = async () => {
            const { url } = request;
            const unsigned = new HttpRequest({
                method: "GET",
                protocol: url.protocol,
                hostname: url.hostname,
                port: url.port ? Number(url.port) : undefined,
                // ListObjectsV2 is `GET /` under the endpoint's path, as the SDK joins them.
                path: url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`,
                query: { "list-type": "2", "max-keys": "1" },
                headers: { ...request.headers, host: url.host },
            });
            const offset = this.client.config.systemClockOffset ?? 0;
            const signed = await request.signer.sign(unsigned, {
                signingDate: new Date(Date.now() + offset),
            });
            const { response } = await this.client.config.requestHandler.handle(
                signed as HttpRequest,
            );
            return answerOf(
                response as HttpResponse & { body: Readable },
                await readBody(response),
            );
        };
        return this.pool ? this.pool.run(send) : send();
    }
}

async function readBody(response: HttpResponse): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
}

/** S3's error document: an <Error> root, after an XML declaration or nothing. */
const errorDocument = /^\s*(?:<\?xml[^>]*\?>\s*)?<Error>([\s\S]*)<\/Error>\s*$/;

const xmlEntities: Record<string, string> = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&apos;": "'",
};

/** The text of the first <tag> element inside S3's error document, unescaped. */
function xmlText(body: string, tag: string): string | undefined {
    const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body);
    return match?.[1].replace(/&(amp|lt|gt|quot|apos);/g, (entity) => xmlEntities[entity]);
}

/** A page, S3's AccessDenied, or the S3ServiceException S3Client would throw for the answer. */
function answerOf(response: HttpResponse, body: string): ListingAnswer {
    const document = errorDocument.exec(body)?.[1] ?? "";
    // S3 can answer 200 with an error document; S3Client then treats the answer as a 503.
    const status =
        response.statusCode >= 200 && response.statusCode < 300 && document
            ? 503
            : response.statusCode;
    if (status >= 200 && status < 300) return "listed";
    // As the SDK names an S3 error: its <Code>, else NotFound for a 404, else Unknown.
    const name = xmlText(document, "Code") ?? (status === 404 ? "NotFound" : "Unknown");
    if (name === "AccessDenied" && status === 403) return "AccessDenied";
    const requestId = xmlText(document, "RequestId") ?? response.headers["x-amz-request-id"];
    const error = new S3ServiceException({
        name,
        $fault: status >= 500 ? "server" : "client",
        message: xmlText(document, "Message") ?? "UnknownError",
        $metadata: {
            httpStatusCode: status,
            requestId,
            extendedRequestId: response.headers["x-amz-id-2"],
        },
    });
    throw Object.assign(error, { $response: response });
}

/** The SDK's retry middleware's classification of an error. */
function errorTypeOf(error: unknown): RetryErrorType {
    const e = error as never;
    if (isThrottlingError(e)) return "THROTTLING";
    if (isTransientError(e)) return "TRANSIENT";
    if (isServerError(e)) return "SERVER_ERROR";
    return "CLIENT_ERROR";
}
