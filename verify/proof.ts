// The proof, step by step: the host's own role is denied the bucket; after AssumeRole the target
// role can list, put, get and delete there; optionally the same through an AWS config profile.
import { fromIni, fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { randomBytes } from "crypto";

import type { ProofOptions } from "./args";
import { Credentials, s3Client, stsClient } from "./clients";
import { diagnose, DiagnosisContext } from "./diagnose";
import { describeError, isUnreachable } from "./errors";
import { maskAccessKeyId, ProofReport, StepName } from "./report";
import {
    assumeRoleWithPropagationRetry,
    callerIdentity,
    deleteProbe,
    expectBucketDenied,
    expectedSessionArn,
    getReturnsProbe,
    listSeesProbe,
    Outcome,
    putProbe,
} from "./steps";

export interface ProofHooks {
    /** The host's own credentials. Default: the SDK's default chain (on EC2, the instance profile). */
    baseCredentials?: Credentials;
    /** Progress lines while waiting (on the CLI: stderr). */
    onProgress?: (line: string) => void;
    sleep?: (ms: number) => Promise<void>;
    /** First wait between AssumeRole attempts while IAM propagates. Default 500 ms. */
    propagationInitialDelayMs?: number;
}

const expectations: Record<StepName, string> = {
    "base-identity": "the host's own identity from the default credential chain",
    "base-denied": "AccessDenied listing the bucket as the host's own role",
    "assume-role": "sts:AssumeRole into the target role succeeds",
    "assumed-identity": "caller identity is the target role's session",
    "put-object": "PutObject of a probe object succeeds",
    "list-objects": "ListObjectsV2 shows the probe object",
    "get-object": "GetObject returns the bytes written",
    "delete-object": "DeleteObject removes the probe object",
    "credentials-expiry": "temporary credentials with an expiration in the future",
    "profile-identity": "the AWS config profile yields the target role's session",
    "profile-round-trip": "put, get and delete through the profile succeed",
};

class Recorder {
    constructor(
        readonly report: ProofReport,
        private readonly ctx: DiagnosisContext,
    ) {}

    /** Runs a step and records it; returns whether it met its expectation. */
    async step(name: StepName, body: () => Promise<Outcome>): Promise<boolean> {
        const started = performance.now();
        let outcome: Outcome;
        try {
            outcome = await body();
        } catch (error) {
            if (isUnreachable(error)) this.report.unreachable = true;
            outcome = {
                ok: false,
                observed: describeError(error),
                diagnosis: diagnose(name, error, this.ctx),
            };
        }
        this.report.steps.push({
            name,
            ok: outcome.ok,
            expected: expectations[name],
            observed: outcome.observed,
            durationMs: Math.round(performance.now() - started),
            ...(outcome.ok || !outcome.diagnosis ? {} : { diagnosis: outcome.diagnosis }),
        });
        return outcome.ok;
    }
}

export function probeKey(): string {
    return `rolepair-verify/${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.txt`;
}

export async function runProof(
    options: ProofOptions,
    hooks: ProofHooks = {},
): Promise<ProofReport> {
    const report: ProofReport = { ok: false, steps: [], identities: {}, credentials: {} };
    const rec = new Recorder(report, {
        bucket: options.bucket,
        roleArn: options.roleArn,
        externalId: options.externalId,
        propagationTimeoutMs: options.propagationTimeoutMs,
    });
    const target = { region: options.region, endpoint: options.endpoint };
    const baseCredentials =
        hooks.baseCredentials ??
        fromNodeProviderChain({ clientConfig: { region: options.region } });
    const baseSts = stsClient(target, baseCredentials);

    const proven = await (async () => {
        const identityOk = await rec.step("base-identity", async () => {
            report.identities.base = await callerIdentity(baseSts);
            return { ok: true, observed: report.identities.base };
        });
        if (!identityOk) return false;
        if (
            !(await rec.step("base-denied", () =>
                expectBucketDenied(s3Client(target, baseCredentials), options.bucket),
            ))
        ) {
            return false;
        }

        let assumed: Awaited<ReturnType<typeof assumeRoleWithPropagationRetry>> | undefined;
        const assumeOk = await rec.step("assume-role", async () => {
            assumed = await assumeRoleWithPropagationRetry(baseSts, options, {
                timeoutMs: options.propagationTimeoutMs,
                sleep: hooks.sleep,
                initialDelayMs: hooks.propagationInitialDelayMs,
                onRetry: (attempt, elapsedMs) =>
                    hooks.onProgress?.(
                        `waiting for IAM propagation: AssumeRole attempt ${attempt} denied, ${(elapsedMs / 1000).toFixed(1)} s elapsed`,
                    ),
            });
            report.credentials.accessKeyId = maskAccessKeyId(assumed.credentials.accessKeyId);
            report.credentials.expiration = assumed.credentials.expiration.toISOString();
            const tries = assumed.attempts > 1 ? ` after ${assumed.attempts} attempts` : "";
            return { ok: true, observed: `assumed ${options.roleArn}${tries}` };
        });
        if (!assumeOk || !assumed) return false;
        const targetCredentials = assumed.credentials;

        const expectedArn = expectedSessionArn(options.roleArn, options.sessionName);
        const identityMatches = await rec.step("assumed-identity", async () => {
            report.identities.assumed = await callerIdentity(stsClient(target, targetCredentials));
            return report.identities.assumed === expectedArn
                ? { ok: true, observed: report.identities.assumed }
                : {
                      ok: false,
                      observed: report.identities.assumed,
                      diagnosis: `expected ${expectedArn}: the credentials do not belong to the target role session.`,
                  };
        });
        if (!identityMatches) return false;

        const roundTripOk = await s3RoundTrip(
            rec,
            s3Client(target, targetCredentials),
            options.bucket,
        );

        const expiryOk = await rec.step("credentials-expiry", async () => {
            const minutes = (targetCredentials.expiration.getTime() - Date.now()) / 60_000;
            return minutes > 0
                ? {
                      ok: true,
                      observed: `expire at ${targetCredentials.expiration.toISOString()} (in ${Math.round(minutes)} min); apps refresh with fromTemporaryCredentials`,
                  }
                : {
                      ok: false,
                      observed: `expired at ${targetCredentials.expiration.toISOString()}`,
                      diagnosis: "the host clock is wrong, or STS returned stale credentials.",
                  };
        });
        if (!roundTripOk || !expiryOk) return false;

        return options.profile === undefined ? true : proveProfileRoute(rec, options, target);
    })();

    report.ok = proven && report.steps.every((s) => s.ok);
    return report;
}

/** put → list → get, then delete whenever the put succeeded, so the bucket is left as found. */
async function s3RoundTrip(
    rec: Recorder,
    s3: ReturnType<typeof s3Client>,
    bucket: string,
): Promise<boolean> {
    const key = probeKey();
    const body = `rolepair verify probe ${randomBytes(16).toString("hex")}\n`;
    if (!(await rec.step("put-object", () => putProbe(s3, bucket, key, body)))) return false;
    const readOk =
        (await rec.step("list-objects", () => listSeesProbe(s3, bucket, key))) &&
        (await rec.step("get-object", () => getReturnsProbe(s3, bucket, key, body)));
    const deleted = await rec.step("delete-object", () => deleteProbe(s3, bucket, key));
    return readOk && deleted;
}

/** Apps on the host use AWS_PROFILE=<name>; prove that route needs no code change. */
async function proveProfileRoute(
    rec: Recorder,
    options: ProofOptions,
    target: { region: string; endpoint?: string },
): Promise<boolean> {
    const profile = options.profile as string;
    const credentials = fromIni({ profile, clientConfig: { region: options.region } });
    const roleName = options.roleArn.split("/").pop();
    const identityOk = await rec.step("profile-identity", async () => {
        rec.report.identities.profile = await callerIdentity(stsClient(target, credentials));
        return rec.report.identities.profile.includes(`:assumed-role/${roleName}/`)
            ? { ok: true, observed: rec.report.identities.profile }
            : {
                  ok: false,
                  observed: rec.report.identities.profile,
                  diagnosis: `profile ${profile} does not assume ${options.roleArn}: check its role_arn in the AWS config file.`,
              };
    });
    if (!identityOk) return false;
    return rec.step("profile-round-trip", async () => {
        const s3 = s3Client(target, credentials);
        const key = probeKey();
        const body = `rolepair verify profile probe ${randomBytes(16).toString("hex")}\n`;
        await putProbe(s3, options.bucket, key, body);
        try {
            const read = await getReturnsProbe(s3, options.bucket, key, body);
            if (!read.ok) return read;
        } finally {
            await deleteProbe(s3, options.bucket, key);
        }
        return { ok: true, observed: `put, get and delete through profile ${profile}` };
    });
}
