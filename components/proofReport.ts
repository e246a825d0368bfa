// The proof's report as the components receive it: verify's `--json` stdout, parsed, and a failed
// proof turned into the error that fails `pulumi up`.
import type { ProofReport } from "../contract/report";
import { describeFailure } from "../contract/report";

/** Parses verify's `--json` stdout. Throws if it is not a report, quoting the start of what came. */
export function parseVerificationReport(stdout: string): ProofReport {
    let parsed: unknown;
    try {
        parsed = JSON.parse(stdout);
    } catch {
        throw new Error(`verify did not print a JSON report; it printed: ${stdout.slice(0, 500)}`);
    }
    const report = parsed as Partial<ProofReport>;
    if (
        typeof report !== "object" ||
        report === null ||
        typeof report.ok !== "boolean" ||
        !Array.isArray(report.steps) ||
        !Array.isArray(report.services) ||
        !Array.isArray(report.isolation)
    ) {
        throw new Error(`verify printed JSON that is not a report: ${stdout.slice(0, 500)}`);
    }
    return report as ProofReport;
}

/** The report if the proof holds; otherwise an Error carrying the diagnosis, to fail `pulumi up`. */
export function requireProof(report: ProofReport): ProofReport {
    if (!report.ok) {
        throw new Error(`Assume-role verification failed on the host: ${describeFailure(report)}`);
    }
    return report;
}
