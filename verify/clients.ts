// SDK clients with an explicit region (the STS fallback would be us-east-1), the endpoint override
// an emulator or a VPC endpoint needs, bounded timeouts, and the SDK's standard retry for
// throttling, 5xx and dropped connections.
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

export interface AwsTarget {
    region: string;
    endpoint?: string;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Attempts per request: the first try and three retries with the SDK's jittered backoff. */
export const maxAttempts = 4;

function baseConfig(target: AwsTarget, credentials?: Credentials) {
    return {
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        maxAttempts,
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
