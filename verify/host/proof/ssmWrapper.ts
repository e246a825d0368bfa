// The on-host wrapper around verify, delivered with it through SSM: runs verify, then makes its
// report fit what GetCommandInvocation returns (the first 24,000 characters of stdout, 8,000 of
// stderr). The report goes as compact JSON; if that is still too long, as a reduced report that
// keeps `ok`, every failing step and isolation row with its diagnosis, and drops what passed.
// A last line marks the end, so the runner can tell a whole report from a truncated one.
// Exits with verify's exit code. Bundled by scripts/bundle.mjs into the runner as a string.
import { spawnSync } from "child_process";

import type { ProofReport, ServiceReport, StepResult } from "../../../contract/report";
import { endMarker, ssmStderrLimit, ssmStdoutLimit } from "../../../contract/ssmLimits";
/** Room left for the end marker and newlines. */
const stdoutBudget = ssmStdoutLimit - 200;
const stderrBudget = ssmStderrLimit - 200;
const diagnosisChars = 400;

/** Keeps the start and the end of a long text (the end holds verify's diagnosis line). */
export function fitText(text: string, budget: number): string {
    if (text.length <= budget) return text;
    const head = Math.floor(budget / 4);
    const note = `\n[… ${text.length - budget} characters left out to fit SSM's output limit …]\n`;
    return text.slice(0, head) + note + text.slice(text.length - (budget - head - note.length));
}

const clip = (text: string | undefined, max: number) =>
    text === undefined || text.length <= max ? text : `${text.slice(0, max - 1)}…`;

function failingSteps(steps: StepResult[], brief: boolean): StepResult[] {
    return steps
        .filter((s) => !s.ok)
        .map((s) =>
            brief
                ? {
                      ...s,
                      expected: clip(s.expected, 120) as string,
                      observed: clip(s.observed, 200) as string,
                      diagnosis: clip(s.diagnosis, diagnosisChars),
                  }
                : s,
        );
}

/**
 * Verify's report as the shortest faithful JSON that fits `budget` characters: compact; else
 * without what passed (marked `reduced`); else with shortened texts; else the failing services
 * that fit, with a count of those left out. Text that is not a report (a usage error) is cut.
 */
export function fitReport(stdout: string, budget = stdoutBudget): string {
    let report: ProofReport;
    try {
        report = JSON.parse(stdout) as ProofReport;
    } catch {
        return fitText(stdout.trimEnd(), budget);
    }
    const compact = JSON.stringify(report);
    if (compact.length <= budget) return compact;

    const reduce = (brief: boolean, services: ServiceReport[]) => ({
        ok: report.ok,
        ...(report.unreachable !== undefined ? { unreachable: report.unreachable } : {}),
        ...(report.host !== undefined ? { host: report.host } : {}),
        reduced: `the full report (${compact.length} characters) exceeds SSM's ${ssmStdoutLimit}-character output limit: steps and isolation rows that met their expectation are left out`,
        steps: failingSteps(report.steps, brief),
        identities: report.identities,
        ...(report.imds !== undefined ? { imds: report.imds } : {}),
        services: services.map((s) => ({
            ...s,
            steps: failingSteps(s.steps, brief),
        })),
        isolation: report.isolation
            .filter((row) => !row.ok)
            .map((row) =>
                brief ? { ...row, diagnosis: clip(row.diagnosis, diagnosisChars) } : row,
            ),
    });
    for (const brief of [false, true]) {
        const text = JSON.stringify(reduce(brief, report.services));
        if (text.length <= budget) return text;
    }
    // Still too long: only failing services, as many as fit, then a count of the rest.
    const failing = report.services.filter((s) => !s.ok);
    for (let n = failing.length; n >= 0; n--) {
        const reduced = reduce(true, failing.slice(0, n));
        const left = report.services.length - n;
        const text = JSON.stringify({
            ...reduced,
            reduced: `${reduced.reduced}; ${left} of ${report.services.length} services left out (passing ones first)`,
            isolation: reduced.isolation.slice(0, 20),
        });
        if (text.length <= budget) return text;
    }
    return JSON.stringify({
        ok: report.ok,
        reduced: "the report does not fit SSM's output limit even reduced",
        steps: [],
        services: [],
        isolation: [],
    });
}

/** Where the wrapper runs verify and writes what it says: the process's own, unless a test's. */
export interface WrapperIo {
    /** The node binary that runs verify. */
    execPath: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

const processIo: WrapperIo = {
    execPath: process.execPath,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/**
 * Runs verify (`argv`: its path, then its arguments), writes its fitted output, and returns the
 * exit code: verify's own, or 3 when it could not run or was killed by a signal.
 */
export function runWrapper(argv: string[], io: WrapperIo = processIo): number {
    const [verifyPath, ...verifyArgs] = argv;
    const result = spawnSync(io.execPath, [verifyPath, ...verifyArgs], {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) {
        io.stderr(`rolepair-ssm: could not run verify: ${result.error.message}\n`);
        return 3;
    }
    io.stderr(fitText(result.stderr ?? "", stderrBudget));
    io.stdout(`${fitReport(result.stdout ?? "")}\n${endMarker}\n`);
    // Killed by a signal (out of memory, executionTimeout): AWS did not answer in time.
    return result.status ?? 3;
}

// Only as the wrapper's own entry point: the runner imports nothing from this file.
if (require.main === module) process.exitCode = runWrapper(process.argv.slice(2));
