// The S3 round trips, limited to each service's declared actions: the session route's (one step
// per action, in proveService) and another route's (one step for all, for the profile and the
// agent). Apart because the probe's life (write, read, always remove) is one concern.
import { randomBytes } from "crypto";

import { declaredActions, type VerifyTarget } from "../../../contract/plan";
import type { StepName, StepResult } from "../../../contract/report";
import type { s3Client } from "./clients";
import type { Recorder } from "./recorder";
import {
    deleteMissingKey,
    deleteProbe,
    getMissingKey,
    getReturnsProbe,
    listBucket,
    listSeesProbe,
    type Outcome,
    putProbe,
} from "./steps";

export function probeKey(): string {
    return `rolepair-verify/${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.txt`;
}

const skippedPut =
    "skipped: PutObject is declared without DeleteObject, so a probe could not be removed; nothing was written";

/** What each step shows when no probe may be written: each action is tried on a missing key. */
const withoutProbe = {
    "list-objects": "ListObjectsV2 on the service's bucket succeeds",
    "get-object": "GetObject of a random missing key answers NoSuchKey (allowed), not AccessDenied",
    "delete-object": "DeleteObject of a random missing key succeeds (allowed)",
    "put-object": "PutObject is not exercised without DeleteObject",
} as const satisfies Partial<Record<StepName, string>>;

const skipPut = async (): Promise<Outcome> => ({ ok: true, skipped: true, observed: skippedPut });

/**
 * The round trip limited to the declared actions. With put and delete: put, then list (sees it)
 * and get (if declared) at once, then delete; the probe is always removed once written. Otherwise
 * list, GetObject of a random missing key (NoSuchKey means allowed) and DeleteObject of one
 * (success means allowed), all at once. Steps are returned in that order whatever finishes first.
 */
export async function s3RoundTrip(
    rec: Recorder,
    s3: ReturnType<typeof s3Client>,
    target: VerifyTarget,
): Promise<StepResult[]> {
    const declared = declaredActions(target);
    const has = (action: string) => (declared as readonly string[]).includes(action);
    const bucket = target.bucket;
    const key = probeKey();

    if (has("s3:PutObject") && has("s3:DeleteObject")) {
        const body = `rolepair verify probe ${randomBytes(16).toString("hex")}\n`;
        const put = await rec.run("put-object", () => putProbe(s3, bucket, key, body));
        if (!put.ok) return [put];
        const reads = await Promise.all([
            rec.run("list-objects", () => listSeesProbe(s3, bucket, key)),
            ...(has("s3:GetObject")
                ? [rec.run("get-object", () => getReturnsProbe(s3, bucket, key, body))]
                : []),
        ]);
        const removed = await rec.run("delete-object", () => deleteProbe(s3, bucket, key));
        return [put, ...reads, removed];
    }

    // Without a probe, a step only for each declared action: an undeclared one is not tried.
    const ifDeclared = (
        action: string,
        name: keyof typeof withoutProbe,
        body: () => Promise<Outcome>,
    ): Promise<StepResult>[] => (has(action) ? [rec.run(name, body, withoutProbe[name])] : []);
    return Promise.all([
        rec.run("list-objects", () => listBucket(s3, bucket), withoutProbe["list-objects"]),
        ...ifDeclared("s3:GetObject", "get-object", () => getMissingKey(s3, bucket, key)),
        ...ifDeclared("s3:DeleteObject", "delete-object", () => deleteMissingKey(s3, bucket, key)),
        ...ifDeclared("s3:PutObject", "put-object", skipPut),
    ]);
}

/** The declared actions on the service's bucket through one route (`via`: "profile p", "the agent"). */
export async function routeRoundTrip(
    s3: ReturnType<typeof s3Client>,
    target: VerifyTarget,
    via: string,
): Promise<Outcome> {
    const declared = declaredActions(target) as readonly string[];
    const has = (action: string) => declared.includes(action);
    const bucket = target.bucket;
    const key = probeKey();
    if (has("s3:PutObject") && has("s3:DeleteObject")) {
        const body = `rolepair verify route probe ${randomBytes(16).toString("hex")}\n`;
        await putProbe(s3, bucket, key, body);
        try {
            const read = has("s3:GetObject")
                ? await getReturnsProbe(s3, bucket, key, body)
                : await listSeesProbe(s3, bucket, key);
            if (!read.ok) return read;
        } finally {
            await deleteProbe(s3, bucket, key);
        }
        const middle = has("s3:GetObject") ? "get" : "list";
        return { ok: true, observed: `put, ${middle} and delete through ${via}` };
    }
    await listBucket(s3, bucket);
    const done = ["list"];
    if (has("s3:GetObject")) {
        const got = await getMissingKey(s3, bucket, key);
        if (!got.ok) return got;
        done.push("get (NoSuchKey)");
    }
    if (has("s3:DeleteObject")) {
        await deleteMissingKey(s3, bucket, key);
        done.push("delete (missing key)");
    }
    const skipped = has("s3:PutObject") ? "; put skipped (no DeleteObject to remove a probe)" : "";
    return { ok: true, observed: `${done.join(", ")} through ${via}${skipped}` };
}
