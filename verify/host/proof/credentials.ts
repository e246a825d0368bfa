// What applications use: credentials for the target role that refresh themselves before they
// expire, through the SDK's own provider (no hand-written refresh loop).
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";

import type { Credentials } from "./clients";

export interface AssumeRoleCredentialsOptions {
    roleArn: string;
    region: string;
    sessionName?: string;
    externalId?: string;
    /** Lifetime of each set of credentials, in seconds (STS minimum 900). Default 3600. */
    durationSeconds?: number;
    /** The caller's own credentials. Default: the SDK's default chain (on EC2, the instance profile). */
    masterCredentials?: Credentials;
    /** An emulator or VPC endpoint for STS. */
    endpoint?: string;
}

/**
 * A provider for the target role's credentials. Pass it as `credentials` to any SDK v3 client;
 * the SDK calls AssumeRole again shortly before the current credentials expire.
 */
export function assumeRoleCredentials(
    options: AssumeRoleCredentialsOptions,
): AwsCredentialIdentityProvider {
    return fromTemporaryCredentials({
        params: {
            RoleArn: options.roleArn,
            RoleSessionName: options.sessionName ?? `rolepair-app-${Date.now()}`,
            ExternalId: options.externalId,
            DurationSeconds: options.durationSeconds ?? 3600,
        },
        masterCredentials:
            options.masterCredentials ??
            fromNodeProviderChain({ clientConfig: { region: options.region } }),
        clientConfig: {
            region: options.region,
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        },
    });
}
