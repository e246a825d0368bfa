// A stubbed AWS account for the proof's unit tests: aws-sdk-client-mock replaces `send` on every
// STSClient and S3Client, and this fake answers as STS and S3 would for one host role and its
// service roles. It stands in for moto where moto cannot produce the condition a test needs (a 503
// or NoSuchBucket on a listing, a body changed in flight, a session of another role, expired
// credentials): each test overrides one answer through `faults` and keeps the rest honest. The
// proof's denied listings go around S3Client (verify/host/proof/listingProbe.ts); they are sent to the
// same fake ListObjectsV2 here, so a fault injected on a listing reaches them too.
import {
    DeleteObjectCommand,
    GetObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";

import { ListingProbe } from "../../verify/host/proof/listingProbe";
import type { VerifyTarget } from "../../contract/plan";

export const account = "123456789012";
export const hostSessionArn = `arn:aws:sts::${account}:assumed-role/host-role/i-0123456789abcdef0`;
export const hostCredentials = { accessKeyId: "AKIAHOSTFAKE0000", secretAccessKey: "host-secret" };

/** Two service roles of the account, and the plan entries that prove each on its own bucket. */
export const roleA = `arn:aws:iam::${account}:role/service-a`;
export const roleB = `arn:aws:iam::${account}:role/service-b`;
export const targetA: VerifyTarget = { name: "service-a", roleArn: roleA, bucket: "bucket-a" };
export const targetB: VerifyTarget = { name: "service-b", roleArn: roleB, bucket: "bucket-b" };

/** An AWS error as the SDK throws it: recognised by `name`, with the HTTP status in `$metadata`. */
export function awsError(name: string, httpStatusCode: number, message = name): Error {
    return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/** A dropped connection, as node's HTTP handler reports it (no HTTP status). */
export function connectionReset(): Error {
    return Object.assign(new Error("socket hang up"), { name: "Error", code: "ECONNRESET" });
}

/** Who sent a request: the host's own role, or a session of a service role. */
export type Caller = { kind: "host" } | { kind: "session"; roleArn: string; sessionName: string };

export interface S3Call {
    caller: Caller;
    command: "ListObjectsV2" | "PutObject" | "GetObject" | "DeleteObject";
    input: { Bucket?: string; Key?: string; Prefix?: string; MaxKeys?: number };
}

/** Each returns undefined to let the honest answer through, or what to answer instead. */
export interface Faults {
    /** An error to throw for this S3 call. */
    s3Error?: (call: S3Call) => Error | undefined;
    /** Replaces the body GetObject returns. */
    getBody?: (stored: string) => string;
    /** Replaces the keys a listing returns. */
    listKeys?: (stored: string[]) => string[];
    /** Replaces the ARN GetCallerIdentity returns for a session. */
    sessionArn?: (honest: string) => string;
    /** Replaces the expiration AssumeRole returns. */
    expiration?: (honest: Date) => Date;
    /** An error to throw for AssumeRole. */
    assumeRoleError?: (attempt: number) => Error | undefined;
}

export interface FakeAccount {
    /** bucket → key → body. A bucket absent here does not exist. */
    buckets: Map<string, Map<string, string>>;
    /** role ARN → the one bucket its access policy grants. */
    grants: Map<string, string>;
    faults: Faults;
    s3Calls: S3Call[];
    assumeRoleCalls: number;
    /**
     * role ARN → the ExternalId its trust policy requires (sts:ExternalId condition). AssumeRole
     * of such a role without it, or with another, is denied, as STS denies it (moto does not).
     */
    externalIds: Map<string, string>;
    /** Every AssumeRole request as it reached STS, in order. */
    assumeRoleRequests: { RoleArn?: string; RoleSessionName?: string; ExternalId?: string }[];
    /** Credentials of a session of `roleArn`, as a profile on the host would obtain them. */
    issueSession(roleArn: string, sessionName: string): { accessKeyId: string };
    restore(): void;
}

const sessionKeyPrefix = "ASIAFAKE";

/** Installs the stubs; call `restore()` in `after`. Every S3Client and STSClient uses them. */
export function fakeAccount(): FakeAccount {
    const sts = mockClient(STSClient);
    const s3 = mockClient(S3Client);
    const sessions = new Map<string, Caller>();
    const probeList = ListingProbe.prototype.list;
    const fake: FakeAccount = {
        buckets: new Map(),
        grants: new Map(),
        faults: {},
        s3Calls: [],
        assumeRoleCalls: 0,
        externalIds: new Map(),
        assumeRoleRequests: [],
        issueSession: (roleArn, sessionName) => {
            const accessKeyId = `${sessionKeyPrefix}${String(sessions.size).padStart(8, "0")}`;
            sessions.set(accessKeyId, { kind: "session", roleArn, sessionName });
            return { accessKeyId };
        },
        restore: () => {
            sts.restore();
            s3.restore();
            ListingProbe.prototype.list = probeList;
        },
    };

    async function callerOf(client: { config: { credentials: () => Promise<unknown> } }) {
        const { accessKeyId } = (await client.config.credentials()) as { accessKeyId: string };
        if (accessKeyId === hostCredentials.accessKeyId) return { kind: "host" } as Caller;
        const caller = sessions.get(accessKeyId);
        if (!caller) throw awsError("InvalidClientTokenId", 403);
        return caller;
    }

    sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
        const caller = await callerOf(getClient() as never);
        if (caller.kind === "host") return { Arn: hostSessionArn, Account: account };
        const roleName = caller.roleArn.split("/").pop();
        const honest = `arn:aws:sts::${account}:assumed-role/${roleName}/${caller.sessionName}`;
        return { Arn: fake.faults.sessionArn?.(honest) ?? honest, Account: account };
    });

    sts.on(AssumeRoleCommand).callsFake(async (input, getClient) => {
        fake.assumeRoleCalls++;
        fake.assumeRoleRequests.push({
            RoleArn: input.RoleArn,
            RoleSessionName: input.RoleSessionName,
            ExternalId: input.ExternalId,
        });
        const caller = await callerOf(getClient() as never);
        const injected = fake.faults.assumeRoleError?.(fake.assumeRoleCalls);
        if (injected) throw injected;
        const required = fake.externalIds.get(input.RoleArn);
        if (
            caller.kind !== "host" ||
            !fake.grants.has(input.RoleArn) ||
            (required !== undefined && input.ExternalId !== required)
        ) {
            throw awsError("AccessDenied", 403, `not authorized to perform sts:AssumeRole`);
        }
        const { accessKeyId } = fake.issueSession(input.RoleArn, input.RoleSessionName);
        // STS answers with whole seconds.
        const issuedAt = Math.floor(Date.now() / 1000) * 1000;
        const honest = new Date(issuedAt + input.DurationSeconds * 1000);
        return {
            Credentials: {
                AccessKeyId: accessKeyId,
                SecretAccessKey: "session-secret",
                SessionToken: "session-token",
                Expiration: fake.faults.expiration?.(honest) ?? honest,
            },
            AssumedRoleUser: { Arn: "ignored", AssumedRoleId: "AROAFAKE:session" },
        };
    });

    function s3Handler(
        command: S3Call["command"],
        answer: (objects: Map<string, string>, input: S3Call["input"]) => unknown,
    ) {
        return async (input: S3Call["input"], getClient: () => unknown) => {
            const call: S3Call = { caller: await callerOf(getClient() as never), command, input };
            fake.s3Calls.push(call);
            const injected = fake.faults.s3Error?.(call);
            if (injected) throw injected;
            const objects = fake.buckets.get(input.Bucket ?? "");
            if (!objects)
                throw awsError("NoSuchBucket", 404, "The specified bucket does not exist");
            const granted =
                call.caller.kind === "session" &&
                fake.grants.get(call.caller.roleArn) === input.Bucket;
            if (!granted) throw awsError("AccessDenied", 403, "Access Denied");
            return answer(objects, input);
        };
    }

    s3.on(ListObjectsV2Command).callsFake(
        s3Handler("ListObjectsV2", (objects, input) => {
            const stored = [...objects.keys()]
                .filter((k) => k.startsWith(input.Prefix ?? ""))
                .sort();
            const keys = (fake.faults.listKeys?.(stored) ?? stored).slice(0, input.MaxKeys ?? 1000);
            return { KeyCount: keys.length, Contents: keys.map((Key) => ({ Key })) };
        }),
    );
    ListingProbe.prototype.list = function (this: ListingProbe, bucket: string) {
        return this.listWithSdk(bucket);
    };
    s3.on(PutObjectCommand).callsFake(
        s3Handler("PutObject", (objects, input) => {
            objects.set(input.Key!, String((input as { Body?: unknown }).Body));
            return {};
        }),
    );
    s3.on(GetObjectCommand).callsFake(
        s3Handler("GetObject", (objects, input) => {
            const stored = objects.get(input.Key!);
            if (stored === undefined)
                throw awsError("NoSuchKey", 404, "The specified key does not exist.");
            const body = fake.faults.getBody?.(stored) ?? stored;
            return { Body: { transformToString: async () => body } };
        }),
    );
    s3.on(DeleteObjectCommand).callsFake(
        s3Handler("DeleteObject", (objects, input) => {
            objects.delete(input.Key!);
            return {};
        }),
    );
    return fake;
}
