// SDK clients with an explicit region (the STS fallback would be us-east-1), the endpoint override
// an emulator or a VPC endpoint needs, bounded timeouts, and the SDK's standard retry for
// throttling, 5xx and dropped connections.
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";

export interface AwsTarget {
    region: string;
    endpoint?: string;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Attempts per request: the first try and three retries. */
export const maxAttempts = 4;

/**
 * Backoff before retry n (n = 2, 3, 4): 150, 300, 600 ms, each jittered down to half. The SDK's
 * default throttling backoff can wait ~7 s for one request; a proof makes eight, and must end
 * within its propagation timeout plus a small margin. At most ~1 s of backoff per request here.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
    return Math.round(150 * 2 ** (attempt - 2) * (0.5 + random() / 2));
}

function baseConfig(target: AwsTarget, credentials?: Credentials) {
    return {
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt: number) =>
            backoffMs(attempt),
        ),
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    };
}

export function stsClient(target: AwsTarget, credentials?: Credentials): STSClient {
    return new STSClient(baseConfig(target, credentials));
}

export function s3Client(target: AwsTarget, credentials?: Credentials): S3Client {
    // With an endpoint override, bucket-in-hostname addressing would need wildcard DNS.
    return new S3Client({
        ...baseConfig(target, credentials),
        forcePathStyle: Boolean(target.endpoint),
    });
}
