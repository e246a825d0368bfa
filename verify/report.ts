// The proof's report: what each step expected, what it observed, and why it failed.
// It never holds a secret: access key ids are masked and keys or tokens are never stored.

export type StepName =
    | "base-identity"
    | "base-denied"
    | "assume-role"
    | "assumed-identity"
    | "put-object"
    | "list-objects"
    | "get-object"
    | "delete-object"
    | "credentials-expiry"
    | "profile-identity"
    | "profile-round-trip";

export interface StepResult {
    name: StepName;
    ok: boolean;
    expected: string;
    observed: string;
    durationMs: number;
    /** Present on failure: the likely cause, in words an operator can act on. */
    diagnosis?: string;
}

export interface ProofReport {
    /** True only when every step met its expectation. */
    ok: boolean;
    /** True when AWS could not be reached or timed out, as opposed to answering "no". */
    unreachable?: boolean;
    steps: StepResult[];
    identities: { base?: string; assumed?: string; profile?: string };
    credentials: { accessKeyId?: string; expiration?: string };
}

/** Keeps the last four characters of an access key id: enough to match it in CloudTrail. */
export function maskAccessKeyId(accessKeyId: string): string {
    return accessKeyId.length <= 4
        ? "****"
        : `${"*".repeat(accessKeyId.length - 4)}${accessKeyId.slice(-4)}`;
}

/** The first failed step, whose diagnosis explains the failure. */
export function firstFailure(report: ProofReport): StepResult | undefined {
    return report.steps.find((s) => !s.ok);
}

/** One paragraph for a failed proof: the step, what was expected and seen, and the likely cause. */
export function describeFailure(report: ProofReport): string {
    const failed = firstFailure(report);
    if (!failed) return "the proof holds";
    return (
        `step "${failed.name}" failed: expected ${failed.expected}; observed ${failed.observed}.` +
        (failed.diagnosis ? ` Likely cause: ${failed.diagnosis}` : "")
    );
}

/** The human checklist: one line a step with ✓/✗ and timing, diagnoses indented below failures. */
export function formatChecklist(report: ProofReport): string {
    const lines = report.steps.map((s) => {
        const mark = s.ok ? "✓" : "✗";
        const head = `${mark} ${s.name.padEnd(18)} ${s.observed} (${s.durationMs} ms)`;
        return s.ok || !s.diagnosis
            ? head
            : `${head}\n    expected: ${s.expected}\n    cause: ${s.diagnosis}`;
    });
    const verdict = report.ok
        ? "PROOF HOLDS: the host role is denied the bucket and reaches it through the target role."
        : report.unreachable
          ? "AWS UNREACHABLE: the proof could not be completed."
          : `PROOF FAILED: ${describeFailure(report)}`;
    return [...lines, "", verdict].join("\n");
}
