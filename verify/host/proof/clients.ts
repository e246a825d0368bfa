// SDK clients with an explicit region (the STS fallback would be us-east-1), the endpoint override
// an emulator or a VPC endpoint needs, bounded timeouts, and the SDK's standard retry for
// throttling, 5xx and dropped connections. A proof's clients share one Transport: its request
// pool bounds the requests in flight, and its keep-alive agents (as many sockets as the pool has
// slots) let every set of credentials reuse warm connections instead of opening its own.
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type {
    AbsoluteLocation,
    AwsCredentialIdentity,
    AwsCredentialIdentityProvider,
    DeserializeHandlerOptions,
    DeserializeMiddleware,
    Pluggable,
} from "@aws-sdk/types";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import * as http from "http";
import * as https from "https";

import { RequestPool } from "./requestPool";

export interface AwsTarget {
    region: string;
    endpoint?: string;
    /** Shared by every client of one proof; without it a client has the SDK's own agents. */
    transport?: Transport;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Attempts per request: the first try and three retries. */
export const maxAttempts = 4;

/**
 * Backoff before retry n (the SDK's ConfiguredRetryStrategy passes n = 1, 2, 3 for the first,
 * second and third retry): 75, 150, 300 ms, each jittered down to half. The SDK's default
 * throttling backoff can wait ~7 s for one request; a proof makes eight, and must end within its
 * propagation timeout plus a small margin. At most ~0.5 s of backoff per request here.
 */
export function backoffMs(retry: number, random: () => number = Math.random): number {
    return Math.round(150 * 2 ** (retry - 2) * (0.5 + random() / 2));
}

/** The request pool and the keep-alive connections all of one proof's clients share. */
export interface Transport {
    pool: RequestPool;
    httpAgent: http.Agent;
    httpsAgent: https.Agent;
}

/**
 * A pool of `concurrency` requests in flight and agents with as many sockets: a request that has
 * its slot always finds a socket (the SDK never queues it in the agent), and no more sockets are
 * opened than requests can use. Free sockets stay open for the next request (keep-alive).
 */
export function createTransport(concurrency: number): Transport {
    const sockets = { keepAlive: true, maxSockets: concurrency, maxTotalSockets: concurrency };
    return {
        pool: new RequestPool(concurrency),
        httpAgent: new http.Agent(sockets),
        httpsAgent: new https.Agent(sockets),
    };
}

/** Closes the transport's idle connections (a proof run in-process must not leave them open). */
export function closeTransport(transport: Transport): void {
    transport.httpAgent.destroy();
    transport.httpsAgent.destroy();
}

/** The SDK's NodeHttpHandler settings: bounded timeouts, and the transport's agents if any. */
export function requestHandlerConfig(target: AwsTarget) {
    const agents = target.transport
        ? { httpAgent: target.transport.httpAgent, httpsAgent: target.transport.httpsAgent }
        : {};
    return { connectionTimeout: 5_000, requestTimeout: 15_000, ...agents };
}

function baseConfig(target: AwsTarget, credentials?: Credentials) {
    return {
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (retry: number) =>
            backoffMs(retry),
        ),
        requestHandler: requestHandlerConfig(target),
        // Each command's middleware is resolved once per client, not on every send (nothing here
        // changes a stack per command).
        cacheMiddleware: true,
    };
}

/**
 * Each attempt (after retry and signing, so one per wire request) waits for a slot in the pool and
 * holds it until its answer is parsed.
 */
function requestPoolMiddleware<I extends object, O extends object>(
    transport: Transport,
): DeserializeMiddleware<I, O> {
    return (next) => (args) => transport.pool.run(() => next(args));
}

const requestPoolStep: DeserializeHandlerOptions & AbsoluteLocation = {
    step: "deserialize",
    priority: "high",
    name: "requestPool",
};

/** The pool as a plugin, for clients the SDK builds itself (a profile's credential provider). */
export function requestPoolPlugin<I extends object, O extends object>(
    transport: Transport,
): Pluggable<I, O> {
    return {
        applyToStack: (stack) => stack.add(requestPoolMiddleware(transport), requestPoolStep),
    };
}

export function stsClient(target: AwsTarget, credentials?: Credentials): STSClient {
    const client = new STSClient(baseConfig(target, credentials));
    if (target.transport) client.middlewareStack.use(requestPoolPlugin(target.transport));
    return client;
}

export function s3Client(target: AwsTarget, credentials?: Credentials): S3Client {
    // With an endpoint override, bucket-in-hostname addressing would need wildcard DNS.
    const client = new S3Client({
        ...baseConfig(target, credentials),
        forcePathStyle: Boolean(target.endpoint),
    });
    if (target.transport) client.middlewareStack.use(requestPoolPlugin(target.transport));
    return client;
}
