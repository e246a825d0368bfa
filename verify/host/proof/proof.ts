// The proof, for every service of the plan: the host's own role is denied the service's bucket;
// after AssumeRole the service role can do what it declared there (list, and put/get/delete as
// declared); it is denied every other service's bucket; optionally the same through an AWS config
// profile. Every step starts as soon as its inputs exist, all services at once, their requests
// through one bounded pool (clients.ts); the report's order is the plan's.
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { randomBytes } from "crypto";

import { defaultConcurrency, type ProofOptions } from "./args";
import {
    AwsTarget,
    closeTransport,
    createTransport,
    Credentials,
    requestHandlerConfig,
    requestPoolPlugin,
    s3Client,
    stsClient,
    Transport,
} from "./clients";
import { ListingProbe } from "./listingProbe";
import {
    checkProfileConfig,
    type HostConfig,
    readHostConfig,
    type WholeConfig,
} from "./profileConfig";
import { askAgent, readToken, tokenFileFor } from "./agentClient";
import { expectCrossTokenRefused, expectNoTokenRefused } from "./agentSteps";
import { expectImdsRefused, imdsEndpoint, imdsProbeTimeoutMs } from "./imdsProbe";
import { agentCredentialsUrl } from "../../../contract/credentialAgent";
import { diagnose, DiagnosisContext, diagnoseIsolation } from "./diagnose";
import { describeError, isNoCredentials, isUnreachable } from "../../cli/errors";
import { declaredActions, planProfiles, type VerifyTarget } from "../../../contract/plan";
import {
    AgentSection,
    IsolationResult,
    maskAccessKeyId,
    ProofReport,
    ServiceReport,
    StepName,
    StepResult,
} from "../../../contract/report";
import { checkRoleChaining, roleChainingMaxSeconds } from "./roleChaining";
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
import type { SessionKeys } from "../stsCredentials";

export interface ProofHooks {
    /** The host's own credentials. Default: the SDK's default chain (on EC2, the instance profile). */
    baseCredentials?: Credentials;
    /** Progress lines while waiting (on the CLI: stderr). */
    onProgress?: (line: string) => void;
    /** The wait between AssumeRole attempts while IAM propagates, given the service waiting. */
    sleep?: (ms: number, service: string) => Promise<void>;
    /**
     * The clock the propagation timeout is measured on, given the service asking (each service
     * has its own retry loop, all at once). Default Date.now.
     */
    now?: (service: string) => number;
    /** First wait between AssumeRole attempts while IAM propagates. Default 500 ms. */
    propagationInitialDelayMs?: number;
    /** How long the IMDS token request may go unanswered before it counts as dropped. */
    imdsTimeoutMs?: number;
}

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
        "the host's AWS config holds the profile just deployed (role_arn, external_id) and, for a plan, nothing the plan did not put there",
    "profile-identity": "the AWS config profile yields the service role's session",
    "profile-round-trip": "the declared object actions through the profile succeed",
    "imds-refused":
        "the instance metadata service gives this UID no answer (the IMDS lock): no host credentials for it",
    "agent-credentials":
        "the credential agent answers the service's token with credentials (200, unexpired)",
    "agent-identity": "the agent's credentials are a session of the service's role",
    "agent-round-trip": "the declared object actions with the agent's credentials succeed",
    "agent-isolation":
        "AccessDenied listing every other bucket of the plan with the agent's credentials",
    "agent-cross-token":
        "with the service's token, no query string, path or header naming another service yields another role",
    "agent-no-token": "no token and a wrong token are answered 401 or 403, without credentials",
};

/** Host-level steps: their diagnoses name no service. */
const hostSteps: readonly StepName[] = ["base-identity", "imds-refused"];

/** Runs steps for one service (or the host) and turns thrown AWS errors into diagnosed failures. */
class Recorder {
    /** base-identity found no credentials at all. */
    noCredentials = false;

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
            // No credentials at all for the host's own identity: the proof could not start. A
            // profile's missing credentials are the profile-* steps' subject, a failure.
            // With the IMDS lock on, that is expected: proveAll decides once IMDS is checked.
            if (isUnreachable(error)) this.report.unreachable = true;
            else if (name === "base-identity" && isNoCredentials(error)) this.noCredentials = true;
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
        if (hostSteps.includes(name) || diagnosis.includes(this.ctx.service)) return diagnosis;
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

export async function runProof(
    options: ProofOptions,
    hooks: ProofHooks = {},
): Promise<ProofReport> {
    const report: ProofReport = {
        ok: false,
        host: { node: process.version },
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
    const transport = createTransport(options.concurrency ?? defaultConcurrency);
    try {
        await proveAll(report, options, hooks, transport);
    } finally {
        closeTransport(transport);
    }
    report.ok =
        report.steps.every((s) => s.ok) &&
        report.services.every((s) => s.ok) &&
        report.isolation.every((r) => r.ok);
    return report;
}

/**
 * Every step starts as soon as what it needs exists: the host's identity, each service's denied
 * listing and assume-role need only the host's credentials, so all start at once; a service's
 * round trip, identity, profile route and isolation rows need only its session. Results are placed
 * in the plan's order whatever order they finish in.
 */
async function proveAll(
    report: ProofReport,
    options: ProofOptions,
    hooks: ProofHooks,
    transport: Transport,
): Promise<void> {
    const aws = { region: options.region, endpoint: options.endpoint, transport };
    const baseCredentials =
        hooks.baseCredentials ?? defaultProvider({ clientConfig: { region: options.region } });
    const baseSts = stsClient(aws, baseCredentials);
    // The host's AWS config, read once before anything waits: the sync's timer may rewrite it
    // while IAM propagates, and every profile step must judge the file the deploy's sync wrote.
    const profiles = planProfiles(options.targets);
    const hostConfig = profiles.length > 0 ? readHostConfig() : undefined;
    // A plan (--targets) is the host's whole set of profiles; a single --profile is one of many.
    const wholeConfig: WholeConfig | undefined = options.perServiceSessions
        ? { profiles, region: options.region }
        : undefined;

    const host = new Recorder(report, hostContext(options));
    let baseError: unknown;
    const baseIdentity = host.run("base-identity", async () => {
        try {
            report.identities.base = await callerIdentity(baseSts);
        } catch (error) {
            baseError = error;
            throw error;
        }
        return { ok: true, observed: report.identities.base };
    });
    const agentMode = options.targets.some((t) => t.agent === true);
    const endpoint = options.imdsEndpoint ?? imdsEndpoint();
    const imds = agentMode
        ? host.run("imds-refused", () =>
              expectImdsRefused(endpoint, hooks.imdsTimeoutMs ?? imdsProbeTimeoutMs),
          )
        : undefined;
    // Role chaining: from an assumed-role session AWS refuses sessions over an hour (UsageError),
    // so a longer session waits for the host's identity before any AssumeRole.
    if (options.durationSeconds > roleChainingMaxSeconds) {
        const step = await baseIdentity;
        if (step.ok) checkRoleChaining(report.identities.base!, options.durationSeconds);
    }
    let hostFailed = false;
    const hostState = baseIdentity.then(async (step): Promise<HostState> => {
        const state = step.ok ? "ok" : await lockedOut(imds, baseError);
        hostFailed = state !== "ok";
        return state;
    });
    const proof: ServiceProof = {
        options,
        hooks,
        report,
        aws,
        baseSts,
        baseListings: new ListingProbe(s3Client(aws, baseCredentials), transport.pool),
        buckets: [...new Set(options.targets.map((t) => t.bucket))],
        hostState,
        hostFailed: () => hostFailed,
        hostConfig,
        wholeConfig,
        agentUrl: options.agentUrl ?? agentCredentialsUrl,
    };
    const rows = await Promise.all(options.targets.map((t, i) => proveService(proof, t, i)));
    const base = await baseIdentity;
    const state = await hostState;
    if (state === "failed" && host.noCredentials) report.unreachable = true;
    report.steps.push(state === "locked" ? lockedBaseIdentity(base) : base);
    if (imds) {
        const step = await imds;
        report.steps.push(step);
        report.imds = { endpoint, refused: step.ok };
    }
    report.isolation = rows.flat();
}

/**
 * ok: the host's own identity is known. locked: it is not, because IMDS refuses this UID (the
 * lock) and no other source gave credentials: the host role is out of this UID's reach, which is
 * stronger than its being denied each bucket. failed: the proof stops at base-identity.
 */
type HostState = "ok" | "locked" | "failed";

async function lockedOut(
    imds: Promise<StepResult> | undefined,
    baseError: unknown,
): Promise<HostState> {
    if (imds === undefined || !(await imds).ok) return "failed";
    return isNoCredentials(baseError) ? "locked" : "failed";
}

const lockedObservation =
    "no host credentials for this UID: IMDS refuses it (imds-refused), which is stronger than the host role being denied";

function lockedBaseIdentity(step: StepResult): StepResult {
    return {
        name: "base-identity",
        ok: true,
        skipped: true,
        expected: step.expected,
        observed: lockedObservation,
        durationMs: step.durationMs,
    };
}

interface ServiceProof {
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One service's steps (into its ServiceReport, in fixed order); returns its isolation rows.
 * Round trip 1 (beside the host's identity): base-denied and assume-role. Round trip 2 on, once
 * the host is known, its bucket denied and the session held: the identity check, the round trip,
 * the profile route and the isolation rows, all at once; the writes wait for those three, which
 * cost no extra round trip as they are answered in the first.
 */
async function proveService(
    proof: ServiceProof,
    target: VerifyTarget,
    index: number,
): Promise<IsolationResult[]> {
    const { options, hooks, aws } = proof;
    const service = proof.report.services[index];
    const rec = new Recorder(proof.report, serviceContext(options, target, index));
    const sessionName = sessionNameFor(options, target);
    const prefix = options.perServiceSessions ? `${target.name}: ` : "";
    // The propagation wait stops once the host's own identity failed: nothing after it is reported.
    const sleep = async (ms: number) => {
        await (hooks.sleep ?? realSleep)(ms, target.name);
        if (proof.hostFailed()) throw new Error("stopped: the host's own identity failed");
    };

    // The agent route needs neither the host's credentials nor the session: it starts at once.
    const agentRoute = target.agent ? proveAgentRoute(proof, rec, target, service) : undefined;
    let assumed: Awaited<ReturnType<typeof assumeRoleWithPropagationRetry>> | undefined;
    const [hostState, denied, assumeRole] = await Promise.all([
        proof.hostState,
        rec.run("base-denied", () =>
            expectBucketDenied(proof.baseListings, target.bucket, target.name),
        ),
        rec.run("assume-role", async () => {
            assumed = await assumeRoleWithPropagationRetry(
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
        service.steps.push(...lockedServiceSteps(denied, assumeRole, target));
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
            return service.identities.assumed === expectedArn
                ? { ok: true, observed: service.identities.assumed }
                : {
                      ok: false,
                      observed: service.identities.assumed,
                      diagnosis: `expected ${expectedArn}: the credentials do not belong to service ${target.name}'s role session.`,
                  };
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

/**
 * With the host role out of this UID's reach, its denial needs no listing; a service without the
 * agent cannot be proven from this UID at all, and says why.
 */
function lockedServiceSteps(
    denied: StepResult,
    assumeRole: StepResult,
    target: VerifyTarget,
): StepResult[] {
    const base: StepResult = {
        name: "base-denied",
        ok: true,
        skipped: true,
        expected: denied.expected,
        observed: lockedObservation,
        durationMs: denied.durationMs,
    };
    if (target.agent) return [base];
    return [
        base,
        {
            ...assumeRole,
            ok: false,
            diagnosis:
                `service ${target.name} is not served by the credential agent, and with the IMDS lock on this UID has no credentials to assume its role: ` +
                "turn the agent on for it, or prove it as a UID the lock lets through.",
        },
    ];
}

/**
 * The agent route: the service's token gets credentials from the agent, and with those alone
 * (no other source) the service's role session, its declared actions on its bucket and its
 * denial of every other bucket are shown by the same steps the other routes use. Then the
 * token's limits: no other service's role, and nothing without it.
 */
async function proveAgentRoute(
    proof: ServiceProof,
    rec: Recorder,
    target: VerifyTarget,
    service: ServiceReport,
): Promise<StepResult[]> {
    const { aws, agentUrl: url } = proof;
    let own: SessionKeys | undefined;
    let token: string | undefined;
    const noToken = rec.run("agent-no-token", () => expectNoTokenRefused(url, target.name));
    const got = await rec.run("agent-credentials", async () => {
        token = readToken(tokenFileFor(target.profile ?? target.name, proof.options.agentTokenDir));
        const answer = await askAgent(url, token);
        if (answer.credentials === undefined) {
            return {
                ok: false,
                observed: `HTTP ${answer.status}${answer.code ? ` ${answer.code}` : ""} from ${url}`,
                diagnosis: `the credential agent refuses service ${target.name}'s token: the agent has not loaded this service (check its services file and the rolepair-credential-agent unit's log), or the token file is stale.`,
            };
        }
        own = answer.credentials;
        const left = own.expiration.getTime() - Date.now();
        if (left <= 0) {
            return {
                ok: false,
                observed: `credentials ${maskAccessKeyId(own.accessKeyId)} expired at ${own.expiration.toISOString()}`,
                diagnosis: `the credential agent served service ${target.name} expired credentials.`,
            };
        }
        return {
            ok: true,
            observed: `HTTP 200 from ${url}: ${maskAccessKeyId(own.accessKeyId)}, expire at ${own.expiration.toISOString()}`,
        };
    });
    if (!got.ok || own === undefined || token === undefined) {
        const steps = [got, await noToken];
        service.agent = agentSection(url, steps);
        return steps;
    }
    const credentials = own;
    const ownToken = token;
    const s3 = s3Client(aws, credentials);
    const listings = new ListingProbe(s3, aws.transport?.pool);
    const otherBuckets = proof.buckets.filter((b) => b !== target.bucket);
    const otherTargets = proof.options.targets.filter((t) => t.name !== target.name);
    const identityOf = (keys: SessionKeys) => callerIdentity(stsClient(aws, keys));
    const steps = await Promise.all([
        got,
        rec.run("agent-identity", async () => {
            service.identities.agent = await identityOf(credentials);
            return service.identities.agent.startsWith(sessionArnPrefix(target.roleArn))
                ? { ok: true, observed: service.identities.agent }
                : {
                      ok: false,
                      observed: service.identities.agent,
                      diagnosis: `the credential agent answers service ${target.name}'s token with credentials of another role: expected a session of ${target.roleArn}.`,
                  };
        }),
        rec.run("agent-round-trip", () => routeRoundTrip(s3, target, "the agent")),
        rec.run("agent-isolation", async () => {
            const outcomes = await Promise.all(
                otherBuckets.map((bucket) =>
                    expectNotListable(listings, bucket, target.name, target.roleArn).then(
                        (outcome) => ({ bucket, outcome }),
                    ),
                ),
            );
            const leak = outcomes.find((o) => !o.outcome.ok);
            if (leak)
                return { ...leak.outcome, observed: `${leak.outcome.observed} on ${leak.bucket}` };
            return {
                ok: true,
                observed:
                    otherBuckets.length === 0
                        ? "no other bucket in the plan"
                        : `AccessDenied on ${otherBuckets.length} other bucket(s)`,
            };
        }),
        rec.run("agent-cross-token", () =>
            expectCrossTokenRefused(url, ownToken, target, credentials, otherTargets, identityOf),
        ),
        noToken,
    ]);
    service.agent = agentSection(url, steps);
    return steps;
}

function agentSection(url: string, steps: StepResult[]): AgentSection {
    const ok = (...names: StepName[]) =>
        names.every((name) => steps.some((s) => s.name === name && s.ok));
    return {
        url,
        routeProven: ok(
            "agent-credentials",
            "agent-identity",
            "agent-round-trip",
            "agent-isolation",
        ),
        crossTokenRefused: ok("agent-cross-token"),
        noTokenRefused: ok("agent-no-token"),
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
async function s3RoundTrip(
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

/**
 * Apps on the host use AWS_PROFILE=<name>; prove that route needs no code change. Its identity
 * and its round trip run at once (the profile's own AssumeRole is made once, by the first).
 */
async function proveProfileRoute(
    rec: Recorder,
    aws: AwsTarget,
    target: VerifyTarget,
    service: ServiceReport,
    proof: ServiceProof,
): Promise<StepResult[]> {
    const profile = target.profile as string;
    // The host's AWS config file, read locally at the start: no request.
    const config = await rec.run("profile-config", async () =>
        checkProfileConfig(target, proof.hostConfig ?? readHostConfig(), proof.wholeConfig),
    );
    if (!config.ok) return [config];
    // Loaded here, not at start-up: most plans have no profile, and the module costs start-up time.
    const { fromIni } = await import("@aws-sdk/credential-provider-ini");
    const credentials = fromIni({
        profile,
        clientConfig: { region: aws.region, requestHandler: requestHandlerConfig(aws) },
        clientPlugins: aws.transport ? [requestPoolPlugin(aws.transport)] : [],
    });
    const [identity, roundTrip] = await Promise.all([
        rec.run("profile-identity", async () => {
            service.identities.profile = await callerIdentity(stsClient(aws, credentials));
            return service.identities.profile.startsWith(sessionArnPrefix(target.roleArn))
                ? { ok: true, observed: service.identities.profile }
                : {
                      ok: false,
                      observed: service.identities.profile,
                      diagnosis: `profile ${profile} of service ${target.name} does not assume ${target.roleArn}: check its role_arn in the AWS config file.`,
                  };
        }),
        rec.run("profile-round-trip", () =>
            routeRoundTrip(s3Client(aws, credentials), target, `profile ${profile}`),
        ),
    ]);
    return [config, identity, roundTrip];
}

/** The declared actions on the service's bucket through one route (`via`: "profile p", "the agent"). */
async function routeRoundTrip(
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
