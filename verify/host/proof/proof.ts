// The proof, for every service of the plan: the host's own role is denied the service's bucket;
// after AssumeRole the service role can do what it declared there (list, and put/get/delete as
// declared); it is denied every other service's bucket; optionally the same through an AWS config
// profile or the credential agent. This file runs it: the host's steps and every service's
// (serviceProof.ts) at once, their requests through one bounded pool (clients.ts); the report's
// order is the plan's.
import { defaultProvider } from "@aws-sdk/credential-provider-node";

import { defaultConcurrency, type ProofOptions } from "./options";
import {
    closeTransport,
    createTransport,
    Credentials,
    s3Client,
    stsClient,
    Transport,
} from "./clients";
import { ListingProbe } from "./listingProbe";
import { readHostConfig, type WholeConfig } from "./profileConfig";
import { expectImdsRefused, imdsEndpoint, imdsProbeTimeoutMs } from "./imdsProbe";
import { agentCredentialsUrl } from "../../../contract/credentialAgent";
import type { DiagnosisContext } from "./diagnose";
import { planProfiles } from "../../../contract/plan";
import type { ProofReport } from "../../../contract/report";
import { checkRoleChaining, roleChainingMaxSeconds } from "./roleChaining";
import { callerIdentity } from "./steps";
import { type HostState, lockedBaseIdentity, lockedOut } from "./hostLock";
import { Recorder } from "./recorder";
import { proveService, type ServiceProof } from "./serviceProof";

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
