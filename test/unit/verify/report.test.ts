// The report's rendering and verdicts (contract/report.ts) and the error helpers the proof
// recognises AWS answers with (verify/cli/errors.ts): exact texts, since operators read them.
import * as assert from "assert";

import {
    describeError,
    errorMessage,
    errorName,
    isAccessDenied,
    isUnreachable,
} from "../../../verify/cli/errors";
import {
    describeFailure,
    firstFailure,
    formatChecklist,
    isolationMatrix,
    maskAccessKeyId,
    type ProofReport,
    type ServiceReport,
    type StepResult,
} from "../../../contract/report";
import { awsError } from "../../support/fakeAws";

const passed = (name: StepResult["name"], observed = "fine"): StepResult => ({
    name,
    ok: true,
    expected: `${name} expected`,
    observed,
    durationMs: 3,
});
const failed = (name: StepResult["name"], diagnosis?: string): StepResult => ({
    ...passed(name, `${name} observed`),
    ok: false,
    ...(diagnosis ? { diagnosis } : {}),
});

function service(name: string, bucket: string, steps: StepResult[]): ServiceReport {
    return {
        name,
        roleArn: `arn:aws:iam::123456789012:role/${name}`,
        bucket,
        ok: steps.every((s) => s.ok),
        steps,
        identities: {},
        credentials: {},
    };
}

function report(parts: Partial<ProofReport>): ProofReport {
    const r: ProofReport = {
        ok: false,
        steps: [passed("base-identity", "arn:aws:sts::123456789012:assumed-role/host/i-1")],
        identities: {},
        services: [],
        isolation: [],
        ...parts,
    };
    if (parts.ok === undefined) {
        r.ok =
            r.steps.every((s) => s.ok) &&
            r.services.every((s) => s.ok) &&
            r.isolation.every((i) => i.ok);
    }
    return r;
}

describe("verify report", () => {
    it("masks an access key id to its last four characters", () => {
        assert.strictEqual(maskAccessKeyId("ASIAABCDEFGH12345678"), "****************5678");
        assert.strictEqual(maskAccessKeyId("ABCDE"), "*BCDE");
        assert.strictEqual(maskAccessKeyId("ABCD"), "****");
        assert.strictEqual(maskAccessKeyId(""), "****");
    });

    it("finds the first failure: host steps, then each service's steps, then its isolation rows", () => {
        const a = service("a", "bucket-a", [passed("base-denied"), failed("assume-role")]);
        const b = service("b", "bucket-b", [passed("base-denied")]);
        const rowA = { service: "a", bucket: "bucket-b", ok: false, observed: "x" };
        const rowB = { service: "b", bucket: "bucket-a", ok: false, observed: "y" };
        assert.strictEqual(
            firstFailure(report({ steps: [failed("base-identity")], services: [a] }))?.kind,
            "host",
        );
        assert.deepStrictEqual(firstFailure(report({ services: [a, b], isolation: [rowB] })), {
            kind: "service",
            service: a,
            step: a.steps[1],
        });
        assert.deepStrictEqual(firstFailure(report({ services: [b], isolation: [rowA, rowB] })), {
            kind: "isolation",
            row: rowB,
        });
        // A row whose service is not in the report is still found.
        assert.deepStrictEqual(firstFailure(report({ services: [], isolation: [rowA] })), {
            kind: "isolation",
            row: rowA,
        });
        assert.strictEqual(firstFailure(report({ services: [b] })), undefined);
    });

    it("describes a failure in one paragraph naming where, what was expected and seen, and the cause", () => {
        const a = service("a", "bucket-a", [failed("put-object", "no PutObject.")]);
        assert.strictEqual(
            describeFailure(report({ services: [a] })),
            'service "a" (bucket bucket-a): step "put-object" failed: expected put-object expected; observed put-object observed. Likely cause: no PutObject.',
        );
        assert.strictEqual(
            describeFailure(report({ steps: [failed("base-identity")] })),
            'host: step "base-identity" failed: expected base-identity expected; observed base-identity observed.',
        );
        const row = {
            service: "a",
            bucket: "bucket-b",
            ok: false,
            observed: "ListObjectsV2 succeeded",
            diagnosis: "a leak.",
        };
        assert.strictEqual(
            describeFailure(report({ services: [], isolation: [row] })),
            'service "a" isolation from bucket bucket-b failed: expected AccessDenied listing it; observed ListObjectsV2 succeeded. Likely cause: a leak.',
        );
        assert.strictEqual(
            describeFailure(
                report({ services: [], isolation: [{ ...row, diagnosis: undefined }] }),
            ),
            'service "a" isolation from bucket bucket-b failed: expected AccessDenied listing it; observed ListObjectsV2 succeeded.',
        );
        assert.strictEqual(describeFailure(report({ ok: true })), "the proof holds");
        assert.strictEqual(
            describeFailure(report({ ok: false })),
            "the proof did not complete: a service has no recorded steps",
        );
    });

    it("draws the isolation matrix: own ✓/✗, denied ✓, LEAK ✗, error ✗ and - for untested", () => {
        const a = service("a", "bucket-a", [passed("list-objects")]);
        const b = service("service-b", "bucket-b-long-name", [failed("list-objects")]);
        const c = service("c", "bucket-c", [passed("base-denied")]);
        const rows = [
            { service: "a", bucket: "bucket-b-long-name", ok: true, observed: "AccessDenied" },
            {
                service: "service-b",
                bucket: "bucket-a",
                ok: false,
                observed: "ListObjectsV2 succeeded",
            },
            { service: "service-b", bucket: "bucket-c", ok: false, observed: "NoSuchBucket" },
        ];
        assert.deepStrictEqual(isolationMatrix(report({ services: [a, b, c], isolation: rows })), [
            "isolation (rows: services, columns: buckets)",
            "           bucket-a  bucket-b-long-name  bucket-c",
            "a          own ✓     denied ✓            -",
            "service-b  LEAK ✗    own ✗               error ✗",
            "c          -         -                   -",
        ]);
        assert.deepStrictEqual(isolationMatrix(report({})), []);
    });

    it("prints the checklist: marks, durations, causes of failures, isolation failures, the verdict", () => {
        const a = service("a", "bucket-a", [
            passed("base-denied", "AccessDenied"),
            { ...passed("put-object", "skipped: no delete"), skipped: true },
            failed("get-object", "changed."),
        ]);
        const row = {
            service: "a",
            bucket: "bucket-b",
            ok: false,
            observed: "NoSuchBucket",
            diagnosis: "gone.",
        };
        const text = formatChecklist(report({ services: [a], isolation: [row] }));
        assert.strictEqual(
            text,
            [
                "✓ base-identity      arn:aws:sts::123456789012:assumed-role/host/i-1 (3 ms)",
                "",
                "✗ service a: arn:aws:iam::123456789012:role/a → s3://bucket-a",
                "  ✓ base-denied        AccessDenied (3 ms)",
                "  - put-object         skipped: no delete (3 ms)",
                "  ✗ get-object         get-object observed (3 ms)",
                "      expected: get-object expected",
                "      cause: changed.",
                "  ✗ isolation          bucket-b: NoSuchBucket",
                "      cause: gone.",
                "",
                "isolation (rows: services, columns: buckets)",
                "         bucket-a",
                "a        -",
                "",
                'PROOF FAILED: service "a" (bucket bucket-a): step "get-object" failed: expected get-object expected; observed get-object observed. Likely cause: changed.',
            ].join("\n"),
        );
        const quiet = formatChecklist(
            report({
                services: [service("a", "bucket-a", [failed("put-object")])],
                isolation: [
                    { ...row, diagnosis: undefined, ok: true },
                    { ...row, diagnosis: undefined },
                ],
            }),
        );
        assert.match(quiet, /^ {2}✗ put-object {9}put-object observed \(3 ms\)$/m);
        assert.doesNotMatch(quiet, /expected: put-object/);
        assert.match(quiet, /^ {2}✗ isolation {10}bucket-b: NoSuchBucket$/m);
        assert.strictEqual(quiet.match(/✗ isolation/g)?.length, 1);
        assert.doesNotMatch(quiet, /cause:/);
    });

    it("gives the verdict: holds, unreachable, or failed", () => {
        const ok = service("a", "bucket-a", [passed("list-objects")]);
        assert.match(
            formatChecklist(report({ services: [ok] })),
            /\n\nPROOF HOLDS: the host role is denied/,
        );
        assert.match(
            formatChecklist(report({ steps: [failed("base-identity")], unreachable: true })),
            /\n\nCOULD NOT RUN: no AWS credentials, or AWS unreachable; the proof could not be completed\.$/,
        );
        assert.match(
            formatChecklist(report({ steps: [failed("base-identity")], unreachable: false })),
            /\n\nPROOF FAILED: host: step "base-identity" failed/,
        );
        assert.strictEqual(
            formatChecklist(report({ steps: [], ok: true })),
            "\nPROOF HOLDS: the host role is denied every service's bucket, each service reaches its own bucket through its role, and no service reaches another's.",
        );
    });

    it("opens with the Node the host ran on, when the report says", () => {
        const text = formatChecklist(report({ steps: [], ok: true, host: { node: "v22.12.0" } }));
        assert.match(text, /^host runs Node v22\.12\.0\n\nPROOF HOLDS: /);
    });
});

describe("verify error recognition", () => {
    it("names an error by its name, and anything else Error", () => {
        assert.strictEqual(errorName(awsError("NoSuchBucket", 404)), "NoSuchBucket");
        assert.strictEqual(errorName({ name: 42 }), "Error");
        assert.strictEqual(errorName("text"), "Error");
        assert.strictEqual(errorName(null), "Error");
        assert.strictEqual(errorMessage(new Error("boom")), "boom");
        assert.strictEqual(errorMessage("plain"), "plain");
    });

    it("describes an error on one line, with its HTTP status when AWS answered", () => {
        assert.strictEqual(
            describeError(awsError("AccessDenied", 403, "Access Denied\nsecond line")),
            "AccessDenied (HTTP 403): Access Denied",
        );
        assert.strictEqual(describeError(new Error("no status")), "Error: no status");
    });

    it("counts AccessDenied, AccessDeniedException and Forbidden as denied for STS, nothing else", () => {
        for (const name of ["AccessDenied", "AccessDeniedException", "Forbidden"])
            assert.strictEqual(isAccessDenied(awsError(name, 403)), true, name);
        for (const name of ["NoSuchBucket", "AccessDeniedX", "Throttling"])
            assert.strictEqual(isAccessDenied(awsError(name, 400)), false, name);
    });

    it("tells an AWS that did not answer from one that said no", () => {
        assert.strictEqual(isUnreachable(awsError("ServiceUnavailable", 503)), true);
        assert.strictEqual(isUnreachable(awsError("InternalError", 500)), true);
        assert.strictEqual(isUnreachable(awsError("AccessDenied", 503)), false);
        assert.strictEqual(isUnreachable(awsError("AccessDenied", 403)), false);
        assert.strictEqual(isUnreachable(awsError("ThrottlingException", 499)), false);
        for (const code of [
            "ECONNREFUSED",
            "ECONNRESET",
            "ENOTFOUND",
            "EAI_AGAIN",
            "ETIMEDOUT",
            "EHOSTUNREACH",
            "ENETUNREACH",
            "EPIPE",
        ])
            assert.strictEqual(isUnreachable(Object.assign(new Error("x"), { code })), true, code);
        assert.strictEqual(isUnreachable(Object.assign(new Error("x"), { code: "EACCES" })), false);
        assert.strictEqual(
            isUnreachable(Object.assign(new Error("x"), { name: "TimeoutError" })),
            true,
        );
        assert.strictEqual(
            isUnreachable(Object.assign(new Error("x"), { name: "RequestTimeout" })),
            true,
        );
        for (const message of [
            "socket hang up",
            "connect ECONNREFUSED 127.0.0.1:9",
            "read ECONNRESET",
            "ETIMEDOUT",
            "getaddrinfo ENOTFOUND x",
            "request timed out",
        ])
            assert.strictEqual(isUnreachable(new Error(message)), true, message);
        assert.strictEqual(isUnreachable(new Error("something else")), false);
        assert.strictEqual(isUnreachable(undefined), false);
    });
});
