// The proof, for every service of the plan: the host's own role is denied the service's bucket;
// after AssumeRole the service role can do what it declared there (list, and put/get/delete as
// declared); it is denied every other service's bucket; optionally the same through an AWS config
// profile. Services run concurrently in a bounded pool; the report's order is the plan's.
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { randomBytes } from "crypto";

import type { ProofOptions } from "./args";
import { Credentials, s3Client, stsClient } from "./clients";
import { checkProfileConfig } from "./profileConfig";
import { diagnose, DiagnosisContext, diagnoseIsolation } from "./diagnose";
import { describeError, isUnreachable } from "../shared/errors";
import { declaredActions, type VerifyTarget } from "../shared/plan";
import {
    IsolationResult,
    maskAccessKeyId,
    ProofReport,
    ServiceReport,
    StepName,
    StepResult,
} from "../shared/report";
import { checkRoleChaining } from "./roleChaining";
import {
    assumeRoleWithPropagationRetry,
    callerIdentity,
    checkCredentialsExpiry,
    deleteMissingKey,
    deleteProbe,
    expectBucketDenied,
    expectedSessionArn,
    expectNotListable,
    getMissingKey,
    getReturnsProbe,
    listBucket,
    listSeesProbe,
    Outcome,
    putProbe,
    sessionArnPrefix,
} from "./steps";

export interface ProofHooks {
    /** The host's own credentials. Default: the SDK's default chain (on EC2, the instance profile). */
    baseCredentials?: Credentials;
    /** Progress lines while waiting (on the CLI: stderr). */
    onProgress?: (line: string) => void;
    sleep?: (ms: number) => Promise<void>;
    /** The clock the propagation timeout is measured on. Default Date.now. */
    now?: () => number;
    /** First wait between AssumeRole attempts while IAM propagates. Default 500 ms. */
    propagationInitialDelayMs?: number;
}

/** Services proved at once: N services cost about one's time, and one emulator or account is not flooded. */
export const serviceConcurrency = 4;

/** STS's limit on RoleSessionName. */
const maxSessionNameLength = 64;

const expectations: Record<StepName, string> = {
    "base-identity": "the host's own identity from the default credential chain",
    "base-denied": "AccessDenied listing the service's bucket as the host's own role",
    "assume-role": "sts:AssumeRole into the service's role succeeds",
    "assumed-identity": "caller identity is the service role's session",
    "put-object": "PutObject of a probe object succeeds",
    "list-objects": "ListObjectsV2 shows the probe object",
    "get-object": "GetObject returns the bytes written",
    "delete-object": "DeleteObject removes the probe object",
    "credentials-expiry": "temporary credentials with an expiration in the future",
    "profile-config":
        "the host's AWS config holds the profile just deployed (role_arn, external_id)",
    "profile-identity": "the AWS config profile yields the service role's session",
    "profile-round-trip": "the declared object actions through the profile succeed",
};

/** Runs steps for one service (or the host) and turns thrown AWS errors into diagnosed failures. */
class Recorder {
    constructor(
        private readonly report: ProofReport,
        private readonly ctx: DiagnosisContext,
    ) {}

    /** Runs a step; the caller places the result, so concurrent steps keep a fixed report order. */
    async run(
        name: StepName,
        body: () => Promise<Outcome>,
        expected: string = expectations[name],
    ): Promise<StepResult> {
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
        return {
            name,
            ok: outcome.ok,
            expected,
            observed: outcome.observed,
            durationMs: Math.round(performance.now() - started),
            ...(outcome.skipped ? { skipped: true } : {}),
            ...(outcome.ok || !outcome.diagnosis
                ? {}
                : { diagnosis: this.namingService(name, outcome.diagnosis) }),
        };
    }

    /** Every service diagnosis names its service, whichever layer wrote it. */
    private namingService(name: StepName, diagnosis: string): string {
        if (name === "base-identity" || diagnosis.includes(this.ctx.service)) return diagnosis;
        return `service ${this.ctx.service}: ${diagnosis}`;
    }
}

export function probeKey(): string {
    return `rolepair-verify/${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.txt`;
}

/** `${sessionName}-${service}` clipped to 64 characters; the single-target flags keep sessionName. */
export function sessionNameFor(options: ProofOptions, target: VerifyTarget): string {
    if (!options.perServiceSessions) return options.sessionName;
    return `${options.sessionName}-${target.name}`.slice(0, maxSessionNameLength);
}

/** Runs `work` over the items, at most `limit` at a time; results in item order. */
async function inPool<T, R>(
    items: readonly T[],
    limit: number,
    work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

export async function runProof(
    options: ProofOptions,
    hooks: ProofHooks = {},
): Promise<ProofReport> {
    const report: ProofReport = {
        ok: false,
        steps: [],
        identities: {},
        services: options.targets.map((t) => ({
            name: t.name,
            roleArn: t.roleArn,
            bucket: t.bucket,
            ok: false,
            steps: [],
            identities: {},
            credentials: {},
        })),
        isolation: [],
    };
    const aws = { region: options.region, endpoint: options.endpoint };
    const baseCredentials =
        hooks.baseCredentials ?? defaultProvider({ clientConfig: { region: options.region } });
    const baseSts = stsClient(aws, baseCredentials);

    const host = new Recorder(report, hostContext(options));
    const baseIdentity = await host.run("base-identity", async () => {
        report.identities.base = await callerIdentity(baseSts);
        return { ok: true, observed: report.identities.base };
    });
    report.steps.push(baseIdentity);
    // Role chaining: from an assumed-role session AWS refuses sessions over an hour (UsageError).
    if (baseIdentity.ok) checkRoleChaining(report.identities.base!, options.durationSeconds);

    if (baseIdentity.ok) {
        const proof: ServiceProof = {
            options,
            hooks,
            report,
            aws,
            baseSts,
            baseS3: s3Client(aws, baseCredentials),
            buckets: [...new Set(options.targets.map((t) => t.bucket))],
        };
        const rows = await inPool(options.targets, serviceConcurrency, (t, i) =>
            proveService(proof, t, i),
        );
        report.isolation = rows.flat();
    }

    report.ok =
        report.steps.every((s) => s.ok) &&
        report.services.every((s) => s.ok) &&
        report.isolation.every((r) => r.ok);
    return report;
}

interface ServiceProof {
    options: ProofOptions;
    hooks: ProofHooks;
    report: ProofReport;
    aws: { region: string; endpoint?: string };
    baseSts: ReturnType<typeof stsClient>;
    baseS3: ReturnType<typeof s3Client>;
    /** Every bucket of the plan, in order of first appearance. */
    buckets: string[];
}

function hostContext(options: ProofOptions): DiagnosisContext {
    return {
        service: "host",
        bucket: "",
        roleArn: "",
        propagationTimeoutMs: options.propagationTimeoutMs,
        roleArnSource: "--role-arn",
        externalIdSource: "--external-id",
    };
}

function serviceContext(
    options: ProofOptions,
    target: VerifyTarget,
    index: number,
): DiagnosisContext {
    const fromPlan = options.perServiceSessions === true;
    return {
        service: target.name,
        bucket: target.bucket,
        roleArn: target.roleArn,
        externalId: target.externalId,
        propagationTimeoutMs: options.propagationTimeoutMs,
        roleArnSource: fromPlan ? `--targets[${index}].roleArn` : "--role-arn",
        externalIdSource: fromPlan ? `externalId in --targets[${index}]` : "--external-id",
    };
}

/** One service's steps (into its ServiceReport, in fixed order); returns its isolation rows. */
async function proveService(
    proof: ServiceProof,
    target: VerifyTarget,
    index: number,
): Promise<IsolationResult[]> {
    const { options, hooks, report, aws } = proof;
    const service = report.services[index];
    const rec = new Recorder(report, serviceContext(options, target, index));
    const sessionName = sessionNameFor(options, target);
    const prefix = options.perServiceSessions ? `${target.name}: ` : "";

    // Both use only the host's credentials: the denial check overlaps the (possibly long) retry.
    let assumed: Awaited<ReturnType<typeof assumeRoleWithPropagationRetry>> | undefined;
    const [denied, assumeRole] = await Promise.all([
        rec.run("base-denied", () => expectBucketDenied(proof.baseS3, target.bucket, target.name)),
        rec.run("assume-role", async () => {
            assumed = await assumeRoleWithPropagationRetry(
                proof.baseSts,
                { ...target, sessionName, durationSeconds: options.durationSeconds },
                {
                    timeoutMs: options.propagationTimeoutMs,
                    sleep: hooks.sleep,
                    now: hooks.now,
                    initialDelayMs: hooks.propagationInitialDelayMs,
                    onRetry: (attempt, elapsedMs) =>
                        hooks.onProgress?.(
                            `${prefix}waiting for IAM propagation: AssumeRole attempt ${attempt} denied, ${(elapsedMs / 1000).toFixed(1)} s elapsed`,
                        ),
                },
            );
            service.credentials.accessKeyId = maskAccessKeyId(assumed.credentials.accessKeyId);
            service.credentials.expiration = assumed.credentials.expiration.toISOString();
            const tries = assumed.attempts > 1 ? ` after ${assumed.attempts} attempts` : "";
            return { ok: true, observed: `assumed ${target.roleArn}${tries}` };
        }),
    ]);
    service.steps.push(denied, assumeRole);
    const finish = (rows: IsolationResult[] = []) => {
        service.ok = service.steps.every((s) => s.ok);
        return rows;
    };
    if (!denied.ok || !assumeRole.ok || !assumed) return finish();
    const { credentials, issued } = assumed;

    const expectedArn = expectedSessionArn(target.roleArn, sessionName);
    const identity = await rec.run("assumed-identity", async () => {
        service.identities.assumed = await callerIdentity(stsClient(aws, credentials));
        return service.identities.assumed === expectedArn
            ? { ok: true, observed: service.identities.assumed }
            : {
                  ok: false,
                  observed: service.identities.assumed,
                  diagnosis: `expected ${expectedArn}: the credentials do not belong to service ${target.name}'s role session.`,
              };
    });
    service.steps.push(identity);
    if (!identity.ok) return finish();

    // The round trip on its own bucket and the isolation checks on the others are independent.
    const s3 = s3Client(aws, credentials);
    const others = proof.buckets.filter((b) => b !== target.bucket);
    const [roundTrip, rows] = await Promise.all([
        s3RoundTrip(rec, s3, target),
        Promise.all(others.map((bucket) => isolationRow(report, s3, target, bucket))),
    ]);
    service.steps.push(...roundTrip);

    const expiry = await rec.run("credentials-expiry", async () =>
        checkCredentialsExpiry(
            credentials.expiration,
            options.durationSeconds,
            issued,
            target.name,
        ),
    );
    service.steps.push(expiry);
    if (target.profile !== undefined && roundTrip.every((s) => s.ok) && expiry.ok) {
        service.steps.push(...(await proveProfileRoute(rec, options, target, service)));
    }
    return finish(rows);
}

async function isolationRow(
    report: ProofReport,
    s3: ReturnType<typeof s3Client>,
    target: VerifyTarget,
    bucket: string,
): Promise<IsolationResult> {
    const row = { service: target.name, bucket };
    try {
        const outcome = await expectNotListable(s3, bucket, target.name, target.roleArn);
        return { ...row, ...outcome };
    } catch (error) {
        if (isUnreachable(error)) report.unreachable = true;
        return {
            ...row,
            ok: false,
            observed: describeError(error),
            diagnosis: diagnoseIsolation(error, target.name, bucket),
        };
    }
}

const skippedPut =
    "skipped: PutObject is declared without DeleteObject, so a probe could not be removed; nothing was written";

/**
 * The round trip limited to the declared actions. With put and delete: put → list sees it → get
 * (if declared) → delete, the probe always removed once written. Otherwise list, then GetObject of
 * a random missing key (NoSuchKey means allowed) and DeleteObject of one (success means allowed).
 */
async function s3RoundTrip(
    rec: Recorder,
    s3: ReturnType<typeof s3Client>,
    target: VerifyTarget,
): Promise<StepResult[]> {
    const declared = declaredActions(target);
    const has = (action: string) => (declared as readonly string[]).includes(action);
    const bucket = target.bucket;
    const key = probeKey();
    const steps: StepResult[] = [];
    const record = (step: StepResult) => {
        steps.push(step);
        return step.ok;
    };

    if (has("s3:PutObject") && has("s3:DeleteObject")) {
        const body = `rolepair verify probe ${randomBytes(16).toString("hex")}\n`;
        if (!record(await rec.run("put-object", () => putProbe(s3, bucket, key, body)))) {
            return steps;
        }
        if (record(await rec.run("list-objects", () => listSeesProbe(s3, bucket, key)))) {
            if (has("s3:GetObject")) {
                record(await rec.run("get-object", () => getReturnsProbe(s3, bucket, key, body)));
            }
        }
        record(await rec.run("delete-object", () => deleteProbe(s3, bucket, key)));
        return steps;
    }

    const listed = await rec.run(
        "list-objects",
        () => listBucket(s3, bucket),
        "ListObjectsV2 on the service's bucket succeeds",
    );
    if (!record(listed)) return steps;
    if (has("s3:GetObject")) {
        record(
            await rec.run(
                "get-object",
                () => getMissingKey(s3, bucket, key),
                "GetObject of a random missing key answers NoSuchKey (allowed), not AccessDenied",
            ),
        );
    }
    if (has("s3:DeleteObject")) {
        record(
            await rec.run(
                "delete-object",
                () => deleteMissingKey(s3, bucket, key),
                "DeleteObject of a random missing key succeeds (allowed)",
            ),
        );
    }
    if (has("s3:PutObject")) {
        record(
            await rec.run(
                "put-object",
                async () => ({ ok: true, skipped: true, observed: skippedPut }),
                "PutObject is not exercised without DeleteObject",
            ),
        );
    }
    return steps;
}

/** Apps on the host use AWS_PROFILE=<name>; prove that route needs no code change. */
async function proveProfileRoute(
    rec: Recorder,
    options: ProofOptions,
    target: VerifyTarget,
    service: ServiceReport,
): Promise<StepResult[]> {
    const profile = target.profile as string;
    const config = await rec.run("profile-config", async () => checkProfileConfig(target));
    if (!config.ok) return [config];
    const aws = { region: options.region, endpoint: options.endpoint };
    const credentials = fromIni({ profile, clientConfig: { region: options.region } });
    const identity = await rec.run("profile-identity", async () => {
        service.identities.profile = await callerIdentity(stsClient(aws, credentials));
        return service.identities.profile.startsWith(sessionArnPrefix(target.roleArn))
            ? { ok: true, observed: service.identities.profile }
            : {
                  ok: false,
                  observed: service.identities.profile,
                  diagnosis: `profile ${profile} of service ${target.name} does not assume ${target.roleArn}: check its role_arn in the AWS config file.`,
              };
    });
    if (!identity.ok) return [config, identity];
    const roundTrip = await rec.run("profile-round-trip", () =>
        profileRoundTrip(s3Client(aws, credentials), target, profile),
    );
    return [config, identity, roundTrip];
}

async function profileRoundTrip(
    s3: ReturnType<typeof s3Client>,
    target: VerifyTarget,
    profile: string,
): Promise<Outcome> {
    const declared = declaredActions(target) as readonly string[];
    const has = (action: string) => declared.includes(action);
    const bucket = target.bucket;
    const key = probeKey();
    if (has("s3:PutObject") && has("s3:DeleteObject")) {
        const body = `rolepair verify profile probe ${randomBytes(16).toString("hex")}\n`;
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
        return { ok: true, observed: `put, ${middle} and delete through profile ${profile}` };
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
    return { ok: true, observed: `${done.join(", ")} through profile ${profile}${skipped}` };
}
