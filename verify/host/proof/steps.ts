// The proof's steps, each a function over SDK clients that returns what it observed. A step that
// throws an AWS error is turned into a failed step by proof.ts, with a diagnosis from diagnose.ts.
import {
    DeleteObjectCommand,
    GetObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

import { errorName, isAccessDenied } from "../../cli/errors";
import { completeCredentials } from "../stsCredentials";
import type { ListingProbe } from "./listingProbe";

export interface Outcome {
    ok: boolean;
    observed: string;
    diagnosis?: string;
    /** The step was not exercised (ok stays true: nothing was expected of it). */
    skipped?: boolean;
}

export async function callerIdentity(sts: STSClient): Promise<string> {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Arn) throw new Error("GetCallerIdentity returned no ARN");
    return identity.Arn;
}

/**
 * Lists the bucket: AccessDenied is the expected outcome; a listing is a failure with `leak`. Only
 * S3's own AccessDenied proves a denial: any other answer (NoSuchBucket, a 5xx, a reset, a proxy's
 * 403 page) proves nothing and is thrown by the probe, for the caller to fail the check with a
 * diagnosis.
 */
async function expectListDenied(
    probe: ListingProbe,
    bucket: string,
    leak: string,
): Promise<Outcome> {
    if ((await probe.list(bucket)) === "AccessDenied")
        return { ok: true, observed: "AccessDenied" };
    return { ok: false, observed: "ListObjectsV2 succeeded", diagnosis: leak };
}

/** As the host's own role, listing the service's bucket must be refused. */
export function expectBucketDenied(
    probe: ListingProbe,
    bucket: string,
    service: string,
): Promise<Outcome> {
    return expectListDenied(
        probe,
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
    probe: ListingProbe,
    bucket: string,
    service: string,
    roleArn: string,
): Promise<Outcome> {
    return expectListDenied(
        probe,
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
    /** The host's clock just before the answered AssumeRole was sent and just after its answer. */
    issued: IssueWindow;
}

/** Host-clock bounds (ms since the epoch) of the moment STS issued the credentials. */
export interface IssueWindow {
    sentAt: number;
    answeredAt: number;
}

export interface RetryPolicy {
    /** Give up on AccessDenied after this long. */
    timeoutMs: number;
    onRetry?: (attempt: number, elapsedMs: number, error: unknown) => void;
    sleep?: (ms: number) => Promise<void>;
    /** First wait after a denial; each next one is 1.6× longer, capped at 5 s. Default 500 ms. */
    initialDelayMs?: number;
    /** The clock the timeout is measured on. Default Date.now. */
    now?: () => number;
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
    const now = retry.now ?? Date.now;
    const started = now();
    let delay = retry.initialDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
        const sentAt = now();
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
                credentials: completeCredentials(answer.Credentials),
                assumedRoleArn: answer.AssumedRoleUser?.Arn ?? "",
                attempts: attempt,
                issued: { sentAt, answeredAt: now() },
            };
        } catch (error) {
            const elapsed = now() - started;
            if (!isAccessDenied(error) || elapsed + delay > retry.timeoutMs) throw error;
            retry.onRetry?.(attempt, elapsed, error);
            await sleep(delay);
            delay = Math.min(delay * 1.6, 5_000);
        }
    }
}

/**
 * What every session ARN of the role starts with: arn:<p>:sts::<account>:assumed-role/<role name>/
 * (the role's path is not part of it). Partition and account included, so a role of the same name
 * in another account does not match.
 */
export function sessionArnPrefix(roleArn: string): string {
    const [, partition, , , account, resource] = roleArn.split(":");
    const roleName = resource.split("/").pop();
    return `arn:${partition}:sts::${account}:assumed-role/${roleName}/`;
}

/** The session ARN STS gives: arn:<p>:sts::<account>:assumed-role/<role name>/<session>. */
export function expectedSessionArn(roleArn: string, sessionName: string): string {
    return `${sessionArnPrefix(roleArn)}${sessionName}`;
}

/**
 * How far the host's clock may run behind AWS's: the SDK's credential providers (and
 * fromTemporaryCredentials) refresh 5 minutes before expiry by the host's clock, so a host more
 * than that behind would keep sending expired credentials.
 */
export const maxClockLagMs = 5 * 60_000;

/**
 * The credentials must not be expired, and the host's clock must be close enough to AWS's for
 * applications to refresh them in time. The host cannot read AWS's clock, but STS issued the
 * credentials for exactly `durationSeconds`, between `issued.sentAt` and `issued.answeredAt` on
 * the host's clock, so `expiration - duration` (AWS's clock at issue) bounds the offset between the
 * two clocks; only a lag proven beyond `maxClockLagMs` fails, whatever the network's latency.
 */
export function checkCredentialsExpiry(
    expiration: Date,
    durationSeconds: number,
    issued: IssueWindow,
    service: string,
    now: number = Date.now(),
): Outcome {
    const remainingMs = expiration.getTime() - now;
    const issuedAtAws = expiration.getTime() - durationSeconds * 1000;
    // AWS's clock minus the host's, within [aheadAtLeast, aheadAtMost].
    const aheadAtLeast = issuedAtAws - issued.answeredAt;
    const aheadAtMost = issuedAtAws - issued.sentAt;
    const seconds = (ms: number) => Math.round(ms / 1000);
    if (remainingMs <= 0) {
        return {
            ok: false,
            observed: `expired at ${expiration.toISOString()}, ${seconds(-remainingMs)} s before the host's clock (${new Date(now).toISOString()})`,
            diagnosis:
                `service ${service}: the credentials AssumeRole returned are already expired by the host's clock: STS returned stale credentials, ` +
                "or the host's clock runs ahead of AWS's by more than the session duration (check chronyd and the Amazon Time Sync Service, 169.254.169.123).",
        };
    }
    if (aheadAtLeast > maxClockLagMs) {
        return {
            ok: false,
            observed: `expire at ${expiration.toISOString()}, yet issued for ${durationSeconds} s: the host's clock is at least ${seconds(aheadAtLeast)} s behind AWS's`,
            diagnosis:
                `service ${service}: the host's clock runs more than ${seconds(maxClockLagMs)} s behind AWS's, so the SDKs would refresh these credentials only after they expired ` +
                "(check chronyd and the Amazon Time Sync Service, 169.254.169.123).",
        };
    }
    const offset =
        aheadAtMost < -maxClockLagMs
            ? `; the host's clock is at least ${seconds(-aheadAtMost)} s ahead of AWS's (credentials are refreshed early)`
            : "";
    return {
        ok: true,
        observed: `expire at ${expiration.toISOString()} (in ${Math.round(remainingMs / 60_000)} min); apps refresh with fromTemporaryCredentials${offset}`,
    };
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
