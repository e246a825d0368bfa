// The proof's report: what each step expected, what it observed, and why it failed, for the host
// and for each service, plus which service reached which bucket (the isolation matrix).
// It never holds a secret: access key ids are masked and keys or tokens are never stored.

/**
 * The proof's steps, by name. A named constant rather than an inline union, so Pulumi's schema
 * analyzer turns it into an enum.
 */
export const StepName = {
    BaseIdentity: "base-identity",
    BaseDenied: "base-denied",
    AssumeRole: "assume-role",
    AssumedIdentity: "assumed-identity",
    PutObject: "put-object",
    ListObjects: "list-objects",
    GetObject: "get-object",
    DeleteObject: "delete-object",
    CredentialsExpiry: "credentials-expiry",
    ProfileConfig: "profile-config",
    ProfileIdentity: "profile-identity",
    ProfileRoundTrip: "profile-round-trip",
    ImdsRefused: "imds-refused",
    AgentCredentials: "agent-credentials",
    AgentIdentity: "agent-identity",
    AgentRoundTrip: "agent-round-trip",
    AgentIsolation: "agent-isolation",
    AgentCrossToken: "agent-cross-token",
    AgentNoToken: "agent-no-token",
} as const;
export type StepName = (typeof StepName)[keyof typeof StepName];

export interface StepResult {
    name: StepName;
    ok: boolean;
    expected: string;
    observed: string;
    durationMs: number;
    /** Present on failure: the likely cause, in words an operator can act on. */
    diagnosis?: string;
    /**
     * True when the step was not exercised (put-object when DeleteObject is not declared, so a
     * probe could not be removed); `ok` is then true, as nothing was expected of it. Absent otherwise.
     */
    skipped?: boolean;
}

/** One service's proof: its steps in a fixed order, whatever order they ran in. */
export interface ServiceReport {
    name: string;
    roleArn: string;
    bucket: string;
    /** True only when every one of this service's steps met its expectation. */
    ok: boolean;
    /** base-denied, assume-role, assumed-identity, the round trip, credentials-expiry, profile-*, agent-*. */
    steps: StepResult[];
    identities: ServiceIdentities;
    credentials: SessionCredentials;
    /** Present when the plan has the credential agent serve this service. */
    agent?: AgentSection;
}

/** The ARNs sts:GetCallerIdentity returned for a service: its assumed session, its profile, its agent route. */
export interface ServiceIdentities {
    assumed?: string;
    profile?: string;
    agent?: string;
}

/** What the credential agent was shown to do for one service (each a summary of agent-* steps). */
export interface AgentSection {
    /** The agent's credentials URL the proof asked. */
    url: string;
    /** With the service's token: its role's session, its own bucket reached, every other denied. */
    routeProven: boolean;
    /** With the service's token, no query, path or header naming another service yielded its role. */
    crossTokenRefused: boolean;
    /** No token and a wrong token were answered 401 or 403, without credentials. */
    noTokenRefused: boolean;
}

/** Whether the instance metadata service refused the UID the proof runs as (the IMDS lock). */
export interface ImdsCheck {
    /** The metadata endpoint that was asked for a token. */
    endpoint: string;
    /** True when the token request got no HTTP answer (dropped or refused). */
    refused: boolean;
}

/** A service's session credentials, without the secret: the masked access key id and the expiry. */
export interface SessionCredentials {
    accessKeyId?: string;
    expiration?: string;
}

/** A service's session listing a bucket it did not declare: must be AccessDenied. */
export interface IsolationResult {
    service: string;
    bucket: string;
    ok: boolean;
    observed: string;
    /** Present on failure: the likely cause. */
    diagnosis?: string;
}

/** The runtime the proof ran on, so a report says which Node the host really has. */
export interface HostRuntime {
    /** The host's Node, as process.version prints it (v22.12.0). */
    node: string;
}

/** The ARN sts:GetCallerIdentity returned for the host's own role. */
export interface HostIdentities {
    base?: string;
}

export interface ProofReport {
    /** True only when every step and every isolation row met its expectation. */
    ok: boolean;
    /**
     * True when the proof could not run (no credentials, AWS unreachable or timed out), as opposed
     * to AWS answering "no".
     */
    unreachable?: boolean;
    /** Where the proof ran. Absent only in reports from bundles that predate the field. */
    host?: HostRuntime;
    /** Host-level steps: base-identity, and imds-refused when a service has the agent. */
    steps: StepResult[];
    identities: HostIdentities;
    /** Present when a service has the agent: the IMDS lock seen from this UID. */
    imds?: ImdsCheck;
    /** One per service, in plan order. */
    services: ServiceReport[];
    /** Service order, then bucket order (first appearance in the plan). */
    isolation: IsolationResult[];
}

/** Keeps the last four characters of an access key id: enough to match it in CloudTrail. */
export function maskAccessKeyId(accessKeyId: string): string {
    return accessKeyId.length <= 4
        ? "****"
        : `${"*".repeat(accessKeyId.length - 4)}${accessKeyId.slice(-4)}`;
}

export type Failure =
    | { kind: "host"; step: StepResult }
    | { kind: "service"; service: ServiceReport; step: StepResult }
    | { kind: "isolation"; row: IsolationResult };

/** The first failure: host steps, then each service in plan order (its steps, then its isolation rows). */
export function firstFailure(report: ProofReport): Failure | undefined {
    const hostStep = report.steps.find((s) => !s.ok);
    if (hostStep) return { kind: "host", step: hostStep };
    for (const service of report.services) {
        const step = service.steps.find((s) => !s.ok);
        if (step) return { kind: "service", service, step };
        const row = report.isolation.find((r) => r.service === service.name && !r.ok);
        if (row) return { kind: "isolation", row };
    }
    const row = report.isolation.find((r) => !r.ok);
    return row ? { kind: "isolation", row } : undefined;
}

function stepSentence(step: StepResult): string {
    return (
        `step "${step.name}" failed: expected ${step.expected}; observed ${step.observed}.` +
        (step.diagnosis ? ` Likely cause: ${step.diagnosis}` : "")
    );
}

/** One paragraph for a failed proof: the service (and bucket), the step, what was seen, the likely cause. */
export function describeFailure(report: ProofReport): string {
    const failure = firstFailure(report);
    if (!failure) {
        return report.ok
            ? "the proof holds"
            : "the proof did not complete: a service has no recorded steps";
    }
    switch (failure.kind) {
        case "host":
            return `host: ${stepSentence(failure.step)}`;
        case "service":
            return `service "${failure.service.name}" (bucket ${failure.service.bucket}): ${stepSentence(failure.step)}`;
        case "isolation":
            return (
                `service "${failure.row.service}" isolation from bucket ${failure.row.bucket} failed: ` +
                `expected AccessDenied listing it; observed ${failure.row.observed}.` +
                (failure.row.diagnosis ? ` Likely cause: ${failure.row.diagnosis}` : "")
            );
    }
}

function stepLine(s: StepResult, indent: string): string {
    const mark = s.skipped ? "-" : s.ok ? "✓" : "✗";
    const head = `${indent}${mark} ${s.name.padEnd(18)} ${s.observed} (${s.durationMs} ms)`;
    return s.ok || !s.diagnosis
        ? head
        : `${head}\n${indent}    expected: ${s.expected}\n${indent}    cause: ${s.diagnosis}`;
}

/** The services × buckets matrix: "own ✓" (own bucket reached), "denied ✓", "LEAK ✗", "-" untested. */
export function isolationMatrix(report: ProofReport): string[] {
    const buckets = [...new Set(report.services.map((s) => s.bucket))];
    if (buckets.length === 0) return [];
    // With the IMDS lock on, only the agent route runs: its steps stand for the session's.
    const step = (service: ServiceReport, ...names: StepName[]) =>
        names.map((n) => service.steps.find((s) => s.name === n)).find((s) => s !== undefined);
    const cell = (service: ServiceReport, bucket: string): string => {
        if (service.bucket === bucket) {
            const list = step(service, "list-objects", "agent-round-trip");
            return list === undefined ? "-" : list.ok ? "own ✓" : "own ✗";
        }
        const row = report.isolation.find((r) => r.service === service.name && r.bucket === bucket);
        if (row === undefined) {
            const agent = step(service, "agent-isolation");
            if (agent === undefined) return "-";
            if (agent.ok) return "denied ✓";
            return agent.observed.endsWith(` on ${bucket}`) ? "LEAK ✗" : "-";
        }
        if (row.ok) return "denied ✓";
        return row.observed.startsWith("ListObjectsV2 succeeded") ? "LEAK ✗" : "error ✗";
    };
    const nameWidth = Math.max(7, ...report.services.map((s) => s.name.length)) + 2;
    const widths = buckets.map((b) => Math.max(b.length, 8) + 2);
    const line = (first: string, cells: string[]) =>
        (first.padEnd(nameWidth) + cells.map((c, i) => c.padEnd(widths[i])).join("")).trimEnd();
    return [
        "isolation (rows: services, columns: buckets)",
        line("", buckets),
        ...report.services.map((s) =>
            line(
                s.name,
                buckets.map((b) => cell(s, b)),
            ),
        ),
    ];
}

const okMark = (ok: boolean) => (ok ? "✓" : "✗");

/** One line per service with the agent: what its token was shown to get, and not get. */
function agentLine(agent: AgentSection): string {
    return (
        `  agent ${agent.url}: own role and bucket only ${okMark(agent.routeProven)}, ` +
        `other services' roles refused ${okMark(agent.crossTokenRefused)}, ` +
        `no token refused ${okMark(agent.noTokenRefused)}`
    );
}

/** The host's line on the IMDS lock. */
function imdsLine(imds: ImdsCheck): string {
    return imds.refused
        ? `IMDS lock: ${imds.endpoint} refuses this UID ✓ (no host credentials at all: stronger than the host role being denied)`
        : `IMDS lock: ${imds.endpoint} answers this UID ✗`;
}

/** The human checklist: host steps, each service's steps, the isolation matrix, the verdict. */
export function formatChecklist(report: ProofReport): string {
    const lines = report.host ? [`host runs Node ${report.host.node}`] : [];
    lines.push(...report.steps.map((s) => stepLine(s, "")));
    if (report.imds) lines.push(imdsLine(report.imds));
    for (const service of report.services) {
        lines.push(
            "",
            `${service.ok ? "✓" : "✗"} service ${service.name}: ${service.roleArn} → s3://${service.bucket}`,
            ...service.steps.map((s) => stepLine(s, "  ")),
            ...(service.agent ? [agentLine(service.agent)] : []),
        );
        for (const row of report.isolation) {
            if (row.service === service.name && !row.ok) {
                lines.push(
                    `  ✗ isolation          ${row.bucket}: ${row.observed}` +
                        (row.diagnosis ? `\n      cause: ${row.diagnosis}` : ""),
                );
            }
        }
    }
    const matrix = isolationMatrix(report);
    if (matrix.length > 0) lines.push("", ...matrix);
    const agent = report.services.some((s) => s.agent !== undefined)
        ? " Through the credential agent each service's token yields its own role only, and a request without one gets nothing."
        : "";
    const lockedOut = report.steps.some((s) => s.name === "base-identity" && s.skipped);
    const host = lockedOut
        ? "the host role is out of this UID's reach (IMDS refuses it)"
        : "the host role is denied every service's bucket";
    const verdict = report.ok
        ? `PROOF HOLDS: ${host}, each service reaches its own bucket through its role, and no service reaches another's.${agent}`
        : report.unreachable
          ? "COULD NOT RUN: no AWS credentials, or AWS unreachable; the proof could not be completed."
          : `PROOF FAILED: ${describeFailure(report)}`;
    return [...lines, "", verdict].join("\n");
}
