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
    /** base-denied, assume-role, assumed-identity, the round trip, credentials-expiry, profile-*. */
    steps: StepResult[];
    identities: ServiceIdentities;
    credentials: SessionCredentials;
}

/** The ARNs sts:GetCallerIdentity returned for a service: its assumed session and its profile. */
export interface ServiceIdentities {
    assumed?: string;
    profile?: string;
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
    /** Host-level steps: base-identity. */
    steps: StepResult[];
    identities: HostIdentities;
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
    const cell = (service: ServiceReport, bucket: string): string => {
        if (service.bucket === bucket) {
            const list = service.steps.find((s) => s.name === "list-objects");
            return list === undefined ? "-" : list.ok ? "own ✓" : "own ✗";
        }
        const row = report.isolation.find((r) => r.service === service.name && r.bucket === bucket);
        if (row === undefined) return "-";
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

/** The human checklist: host steps, each service's steps, the isolation matrix, the verdict. */
export function formatChecklist(report: ProofReport): string {
    const lines = report.host ? [`host runs Node ${report.host.node}`] : [];
    lines.push(...report.steps.map((s) => stepLine(s, "")));
    for (const service of report.services) {
        lines.push(
            "",
            `${service.ok ? "✓" : "✗"} service ${service.name}: ${service.roleArn} → s3://${service.bucket}`,
            ...service.steps.map((s) => stepLine(s, "  ")),
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
    const verdict = report.ok
        ? "PROOF HOLDS: the host role is denied every service's bucket, each service reaches its own bucket through its role, and no service reaches another's."
        : report.unreachable
          ? "COULD NOT RUN: no AWS credentials, or AWS unreachable; the proof could not be completed."
          : `PROOF FAILED: ${describeFailure(report)}`;
    return [...lines, "", verdict].join("\n");
}
