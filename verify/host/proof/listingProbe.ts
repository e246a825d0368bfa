// The proof's denied listings (the host's own role on each bucket, every service on every other
// bucket: N² in all) sent without S3Client's middleware stack: through it a ListObjectsV2 costs
// about three times the CPU of the same signed request sent here (bench: "the SDK alone" against
// "the listing probe"), and a proof of 30 services makes 900 of them. The request is the one
// S3Client would send, built from the client's own parts: its credentials, its endpoint rules
// (getEndpointFromInstructions), the SDK's SignatureV4, its request handler (the proof's agents,
// timeouts and pool), its retry strategy with the SDK's error classification. What this path does
// not handle goes to S3Client itself: an endpoint whose auth scheme is not plain SigV4 (S3 Express,
// multi-region access points), and a clock-skew answer, which the SDK corrects by measuring the
// server's clock. The answer is read by s3Answer.ts.
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
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

import type { RequestPool } from "./requestPool";
import { answerOf, type ListingAnswer, readBody } from "./s3Answer";

export type { ListingAnswer };

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

/**
 * One probe per S3Client (one set of credentials): it keeps each bucket's endpoint, a signer per
 * signing region and service, and the SDK's user agent.
 */
export class ListingProbe {
    private readonly resolved = new Map<string, Promise<ResolvedRequest | undefined>>();
    private readonly signers = new Map<string, SignatureV4>();
    private userAgent?: Promise<string>;

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
        this.userAgent ??= sdkUserAgent(this.client);
        const userAgent = await this.userAgent;
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
            return answerOf(response, await readBody(response));
        };
        return this.pool ? this.pool.run(send) : send();
    }
}

/**
 * The SDK's user agent (an S3 or VPC endpoint policy may test aws:UserAgent), without its
 * per-request feature codes; sections written as the SDK writes them (api/ in lower case).
 */
async function sdkUserAgent(client: S3Client): Promise<string> {
    return (await client.config.defaultUserAgentProvider())
        .map(([name, version]) => {
            const section = name.startsWith("api/") ? name.toLowerCase() : name;
            if (!version) return section;
            return `${section}${section.includes("/") ? "#" : "/"}${version}`;
        })
        .join(" ");
}

/** The SDK's retry middleware's classification of an error. */
function errorTypeOf(error: unknown): RetryErrorType {
    const e = error as never;
    if (isThrottlingError(e)) return "THROTTLING";
    if (isTransientError(e)) return "TRANSIENT";
    if (isServerError(e)) return "SERVER_ERROR";
    return "CLIENT_ERROR";
}
