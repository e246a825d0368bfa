// The host's side of STS: the host role's credentials from IMDSv2 (as the SDK's default chain gets
// them on EC2; AWS_EC2_METADATA_SERVICE_ENDPOINT moves it), AssumeRole per service at STS, or at
// AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL when set.
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { defaultProvider } from "@aws-sdk/credential-provider-node";

import { completeCredentials } from "../stsCredentials";
import type { AssumeRole, RoleCredentials } from "./cache";
import { sessionName } from "./rules";

export const sessionSeconds = 3600;

export function stsEndpoint(env: NodeJS.ProcessEnv): string | undefined {
    return env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined;
}

/** An AssumeRole over one STS client for the region; the host credentials refresh themselves. */
export function stsAssumeRole(region: string, host: string, env = process.env): AssumeRole {
    const client = new STSClient({
        region,
        endpoint: stsEndpoint(env),
        // The default chain: on the host (a system user, no home, no AWS_* keys) that is IMDSv2.
        credentials: defaultProvider({ timeout: 2000, maxRetries: 2 }),
        maxAttempts: 2,
    });
    return async (request): Promise<RoleCredentials> => {
        const answer = await client.send(
            new AssumeRoleCommand({
                RoleArn: request.roleArn,
                ExternalId: request.externalId,
                RoleSessionName: sessionName(host, request.name),
                DurationSeconds: sessionSeconds,
            }),
        );
        return completeCredentials(answer.Credentials);
    };
}
