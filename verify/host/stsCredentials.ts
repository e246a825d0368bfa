// An AssumeRole answer's credentials, as both host programs (the proof and the credential agent)
// use them: all four parts present, or an error; never half a credential.
import type { Credentials } from "@aws-sdk/client-sts";

export interface SessionKeys {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
}

export function completeCredentials(c: Credentials | undefined): SessionKeys {
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new Error("AssumeRole answered without complete credentials");
    }
    return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
    };
}
