// One service's proof: its bucket denied to the host, AssumeRole into its role, the session's
// identity, round trip and expiry, the profile and agent routes, and its isolation rows (its
// session denied every other bucket). Apart from proof.ts, which runs the host's steps and all
// services at once; this is what each service does once started.
import type { ProofOptions } from "./options";
import { type AwsTarget, s3Client, stsClient } from "./clients";
import { proveAgentRoute } from "./agentRoute";
import { type DiagnosisContext, diagnoseIsolation } from "./diagnose";
import { type HostState, lockedServiceSteps } from "./hostLock";
import { ListingProbe } from "./listingProbe";
import type { ProofHooks } from "./proof";
import type { HostConfig, WholeConfig } from "./profileConfig";
import { proveProfileRoute } from "./profileRoute";
import { Recorder } from "./recorder";
import { s3RoundTrip } from "./s3RoundTrip";
import {
    assumeRoleWithPropagationRetry,
    callerIdentity,
    checkCredentialsExpiry,
    expectBucketDenied,
    expectedSessionArn,
    expectNotListable,
} from "./steps";
import { describeError, isUnreachable } from "../../cli/errors";
import type { VerifyTarget } from "../../../contract/plan";
import {
    type IsolationResult,
    maskAccessKeyId,
    type ProofReport,
    type ServiceReport,
    type StepResult,
} from "../../../contract/report";

/** STS's limit on RoleSessionName. */
const maxSessionNameLength = 64;

/** `${sessionName}-${service}` clipped to 64 characters; the single-target flags keep sessionName. */
export function sessionNameFor(options: ProofOptions, target: VerifyTarget): string {
    if (!options.perServiceSessions) return options.sessionName;
    return `${options.sessionName}-${target.name}`.slice(0, maxSessionNameLength);
}

export interface ServiceProof {
    options: ProofOptions;
    hooks: ProofHooks;
    report: ProofReport;
    aws: AwsTarget;
    baseSts: ReturnType<typeof stsClient>;
    /** The host's own denied listings. */
    baseListings: ListingProbe;
    /** Every bucket of the plan, in order of first appearance. */
    buckets: string[];
    /** Whether the host's own identity was established; the proof stops there when it failed. */
    hostState: Promise<HostState>;
    hostFailed: () => boolean;
    /** The host's AWS config as read at the start; undefined when no target has a profile. */
    hostConfig?: HostConfig;
    wholeConfig?: WholeConfig;
    /** The credential agent's URL, for the targets with agent: true. */
    agentUrl: string;
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One service's steps (into its ServiceReport, in fixed order); returns its isolation rows.
 * Round trip 1 (beside the host's identity): base-denied and assume-role. Round trip 2 on, once
 * the host is known, its bucket denied and the session held: the identity check, the round trip,
 * the profile route and the isolation rows, all at once; the writes wait for those three, which
 * cost no extra round trip as they are answered in the first.
 */
export async function proveService(
    proof: ServiceProof,
    target: VerifyTarget,
    index: number,
): Promise<IsolationResult[]> {
    const { options, hooks, aws } = proof;
    const service = proof.report.services[index];
    const rec = new Recorder(proof.report, serviceContext(options, target, index));
    const sessionName = sessionNameFor(options, target);
    // The propagation wait stops once the host's own identity failed: nothing after it is reported.
    const sleep = async (ms: number) => {
        await (hooks.sleep ?? realSleep)(ms, target.name);
        if (proof.hostFailed()) throw new Error("stopped: the host's own identity failed");
    };

    // The agent route needs neither the host's credentials nor the session: it starts at once.
    const agentRoute = target.agent ? proveAgentRoute(proof, rec, target, service) : undefined;
    let assumed: AssumedService | undefined;
    const [hostState, denied, assumeRole] = await Promise.all([
        proof.hostState,
        rec.run("base-denied", () =>
            expectBucketDenied(proof.baseListings, target.bucket, target.name),
        ),
        rec.run("assume-role", async () => {
            assumed = await assumeServiceRole(proof, target, sessionName, sleep);
            service.credentials.accessKeyId = maskAccessKeyId(assumed.credentials.accessKeyId);
            service.credentials.expiration = assumed.credentials.expiration.toISOString();
            const tries = assumed.attempts > 1 ? ` after ${assumed.attempts} attempts` : "";
            return { ok: true, observed: `assumed ${target.roleArn}${tries}` };
        }),
    ]);
    // Without the host's own identity the proof stops at base-identity, as it always has.
    if (hostState === "failed") {
        service.credentials = {};
        await agentRoute;
        return [];
    }
    const finish = async (rows: IsolationResult[] = []) => {
        service.steps.push(...((await agentRoute) ?? []));
        service.ok = service.steps.every((s) => s.ok);
        return rows;
    };
    if (hostState === "locked") {
        service.credentials = {};
        service.steps.push(...(await lockedSteps(proof, rec, target, service, denied, assumeRole)));
        return finish();
    }
    service.steps.push(denied, assumeRole);
    if (!denied.ok || !assumeRole.ok || !assumed) return finish();
    const { credentials, issued } = assumed;

    const expectedArn = expectedSessionArn(target.roleArn, sessionName);
    const s3 = s3Client(aws, credentials);
    const listings = new ListingProbe(s3, aws.transport?.pool);
    const others = proof.buckets.filter((b) => b !== target.bucket);
    const [identity, roundTrip, profileRoute, rows] = await Promise.all([
        rec.run("assumed-identity", async () => {
            service.identities.assumed = await callerIdentity(stsClient(aws, credentials));
            return sessionIdentityStep(service.identities.assumed, expectedArn, target);
        }),
        s3RoundTrip(rec, s3, target),
        target.profile === undefined
            ? Promise.resolve([])
            : proveProfileRoute(rec, aws, target, service, proof),
        Promise.all(others.map((bucket) => isolationRow(proof.report, listings, target, bucket))),
    ]);
    service.steps.push(identity, ...roundTrip);

    const expiry = await rec.run("credentials-expiry", async () =>
        checkCredentialsExpiry(
            credentials.expiration,
            options.durationSeconds,
            issued,
            target.name,
        ),
    );
    service.steps.push(expiry, ...profileRoute);
    return finish(rows);
}

type AssumedService = Awaited<ReturnType<typeof assumeRoleWithPropagationRetry>>;

/** AssumeRole from the host's session, retried through IAM propagation with progress lines. */
function assumeServiceRole(
    proof: ServiceProof,
    target: VerifyTarget,
    sessionName: string,
    sleep: (ms: number) => Promise<void>,
): Promise<AssumedService> {
    const { options, hooks } = proof;
    const prefix = options.perServiceSessions ? `${target.name}: ` : "";
    return assumeRoleWithPropagationRetry(
        proof.baseSts,
        { ...target, sessionName, durationSeconds: options.durationSeconds },
        {
            timeoutMs: options.propagationTimeoutMs,
            sleep,
            now: hooks.now && (() => hooks.now!(target.name)),
            initialDelayMs: hooks.propagationInitialDelayMs,
            onRetry: (attempt, elapsedMs) =>
                hooks.onProgress?.(
                    `${prefix}waiting for IAM propagation: AssumeRole attempt ${attempt} denied, ${(elapsedMs / 1000).toFixed(1)} s elapsed`,
                ),
        },
    );
}

/** The assumed-identity step: the session must be this service's role session, nothing else. */
function sessionIdentityStep(observed: string, expectedArn: string, target: VerifyTarget) {
    return observed === expectedArn
        ? { ok: true, observed }
        : {
              ok: false,
              observed,
              diagnosis: `expected ${expectedArn}: the credentials do not belong to service ${target.name}'s role session.`,
          };
}

async function isolationRow(
    report: ProofReport,
    listings: ListingProbe,
    target: VerifyTarget,
    bucket: string,
): Promise<IsolationResult> {
    const row = { service: target.name, bucket };
    try {
        const outcome = await expectNotListable(listings, bucket, target.name, target.roleArn);
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

/**
 * A service's steps when the IMDS lock keeps this UID from the host's credentials: its base and
 * assume steps say so, and an agent-served profile, which resolves through the agent
 * (credential_process), not IMDS, has its AWS_PROFILE route proven as any other's.
 */
async function lockedSteps(
    proof: ServiceProof,
    rec: Recorder,
    target: VerifyTarget,
    service: ServiceReport,
    denied: StepResult,
    assumeRole: StepResult,
): Promise<StepResult[]> {
    const profileRoute =
        target.agent && target.profile !== undefined
            ? await proveProfileRoute(rec, proof.aws, target, service, proof)
            : [];
    return [...lockedServiceSteps(denied, assumeRole, target), ...profileRoute];
}
