// The proof's steps, each a function over SDK clients that returns what it observed. A step that
// throws an AWS error is turned into a failed step by proof.ts, with a diagnosis from diagnose.ts.
import {
    DeleteObjectCommand,
    GetObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import {
    AssumeRoleCommand,
    Credentials as StsCredentials,
    GetCallerIdentityCommand,
    STSClient,
} from "@aws-sdk/client-sts";

import { errorName, isAccessDenied } from "../shared/errors";

export interface Outcome {
    ok: boolean;
    observed: string;
    diagnosis?: string;
}

export async function callerIdentity(sts: STSClient): Promise<string> {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Arn) throw new Error("GetCallerIdentity returned no ARN");
    return identity.Arn;
}

/** Lists the bucket: AccessDenied is the expected outcome; a listing is a failure with `leak`. */
async function expectListDenied(s3: S3Client, bucket: string, leak: string): Promise<Outcome> {
    try {
        await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    } catch (error) {
        if (isAccessDenied(error)) return { ok: true, observed: "AccessDenied" };
        throw error;
    }
    return { ok: false, observed: "ListObjectsV2 succeeded", diagnosis: leak };
}

/** As the host's own role, listing the service's bucket must be refused. */
export function expectBucketDenied(
    s3: S3Client,
    bucket: string,
    service: string,
): Promise<Outcome> {
    return expectListDenied(
        s3,
        bucket,
        `the host role can already read the bucket ${bucket} of service ${service}: the setup does not isolate it. ` +
            "Look for S3 permissions on the host role (inline, managed or via a wildcard) or a bucket policy that grants it access.",
    );
}

/**
 * Isolation: a service's session listing a bucket it did not declare must be refused. A success
 * is a leak, diagnosed with the service, the bucket and the likely cause.
 */
export function expectNotListable(
    s3: S3Client,
    bucket: string,
    service: string,
    roleArn: string,
): Promise<Outcome> {
    return expectListDenied(
        s3,
        bucket,
        `service ${service} can list bucket ${bucket}, which it did not declare: the service role ${roleArn}'s ` +
            `access policy grants s3:ListBucket on arn:aws:s3:::${bucket} (a wildcard resource or a merged policy), ` +
            "or the bucket's policy grants that role.",
    );
}

/** ListObjectsV2 on the bucket succeeds (the service's own bucket, without writing). */
export async function listBucket(s3: S3Client, bucket: string): Promise<Outcome> {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    return {
        ok: true,
        observed: `listed s3://${bucket} (${listing.KeyCount ?? 0} keys in the first page of 1)`,
    };
}

/** GetObject allowed, without a probe to read: a missing key answers NoSuchKey, not AccessDenied. */
export async function getMissingKey(s3: S3Client, bucket: string, key: string): Promise<Outcome> {
    try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await object.Body?.transformToString();
    } catch (error) {
        if (errorName(error) === "NoSuchKey")
            return { ok: true, observed: `NoSuchKey for ${key}: GetObject is allowed` };
        throw error;
    }
    return {
        ok: false,
        observed: `GetObject of the random key ${key} returned an object`,
        diagnosis:
            "a random key that should not exist was found: another writer uses this key prefix",
    };
}

/** DeleteObject allowed, without a probe to remove: deleting a missing key succeeds. */
export async function deleteMissingKey(
    s3: S3Client,
    bucket: string,
    key: string,
): Promise<Outcome> {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return {
        ok: true,
        observed: `DeleteObject of the missing key ${key} succeeded: it is allowed`,
    };
}

export interface AssumeRoleInput {
    roleArn: string;
    sessionName: string;
    externalId?: string;
    durationSeconds: number;
}

export interface AssumedRole {
    credentials: {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken: string;
        expiration: Date;
    };
    assumedRoleArn: string;
    attempts: number;
}

export interface RetryPolicy {
    /** Give up on AccessDenied after this long. */
    timeoutMs: number;
    onRetry?: (attempt: number, elapsedMs: number, error: unknown) => void;
    sleep?: (ms: number) => Promise<void>;
    /** First wait after a denial; each next one is 1.6× longer, capped at 5 s. Default 500 ms. */
    initialDelayMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * AssumeRole, retried with capped exponential backoff while it answers AccessDenied: fresh IAM
 * roles and policies take seconds to propagate. Other errors are not retried here (the SDK already
 * retried throttling and 5xx).
 */
export async function assumeRoleWithPropagationRetry(
    sts: STSClient,
    input: AssumeRoleInput,
    retry: RetryPolicy,
): Promise<AssumedRole> {
    const sleep = retry.sleep ?? realSleep;
    const started = Date.now();
    let delay = retry.initialDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
        try {
            const answer = await sts.send(
                new AssumeRoleCommand({
                    RoleArn: input.roleArn,
                    RoleSessionName: input.sessionName,
                    ExternalId: input.externalId,
                    DurationSeconds: input.durationSeconds,
                }),
            );
            return {
                credentials: complete(answer.Credentials),
                assumedRoleArn: answer.AssumedRoleUser?.Arn ?? "",
                attempts: attempt,
            };
        } catch (error) {
            const elapsed = Date.now() - started;
            if (!isAccessDenied(error) || elapsed + delay > retry.timeoutMs) throw error;
            retry.onRetry?.(attempt, elapsed, error);
            await sleep(delay);
            delay = Math.min(delay * 1.6, 5_000);
        }
    }
}

function complete(c: StsCredentials | undefined): AssumedRole["credentials"] {
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

/** The session ARN STS gives: arn:<p>:sts::<account>:assumed-role/<role name>/<session>. */
export function expectedSessionArn(roleArn: string, sessionName: string): string {
    const [, partition, , , account, resource] = roleArn.split(":");
    const roleName = resource.split("/").pop();
    return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

export async function putProbe(
    s3: S3Client,
    bucket: string,
    key: string,
    body: string,
): Promise<Outcome> {
    await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "text/plain" }),
    );
    return { ok: true, observed: `wrote s3://${bucket}/${key} (${body.length} bytes)` };
}

export async function listSeesProbe(s3: S3Client, bucket: string, key: string): Promise<Outcome> {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    const seen = (listing.Contents ?? []).some((o) => o.Key === key);
    return seen
        ? { ok: true, observed: `listing shows ${key}` }
        : {
              ok: false,
              observed: `listing of prefix ${key} is empty`,
              diagnosis:
                  "the object was written but is not listed: another writer or a lifecycle rule removed it",
          };
}

export async function getReturnsProbe(
    s3: S3Client,
    bucket: string,
    key: string,
    body: string,
): Promise<Outcome> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const read = (await object.Body?.transformToString()) ?? "";
    return read === body
        ? { ok: true, observed: `read back the same ${read.length} bytes` }
        : {
              ok: false,
              observed: `read ${read.length} bytes that differ from what was written`,
              diagnosis:
                  "the object changed between write and read: another writer uses this key prefix",
          };
}

export async function deleteProbe(s3: S3Client, bucket: string, key: string): Promise<Outcome> {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return { ok: true, observed: `deleted ${key}; the bucket is left as found` };
}
