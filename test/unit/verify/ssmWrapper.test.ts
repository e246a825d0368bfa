// The on-host SSM wrapper's fitting of verify's output into what GetCommandInvocation returns
// (verify/host/proof/ssmWrapper.ts): a report always stays faithful JSON, failures are kept first.
import * as assert from "assert";

import { fitReport, fitText } from "../../../verify/host/proof/ssmWrapper";
import type { ProofReport, ServiceReport, StepResult } from "../../../contract/report";

const step = (name: StepResult["name"], ok: boolean, text = "x"): StepResult => ({
    name,
    ok,
    expected: `expected ${text}`,
    observed: `observed ${text}`,
    durationMs: 1,
    ...(ok ? {} : { diagnosis: `diagnosis ${text}` }),
});

function service(name: string, ok: boolean, text = "x"): ServiceReport {
    return {
        name,
        roleArn: `arn:aws:iam::123456789012:role/${name}`,
        bucket: `bucket-${name}`,
        ok,
        steps: [step("base-denied", true), step("assume-role", ok, text)],
        identities: {},
        credentials: {},
    };
}

function report(services: ServiceReport[], extra: Partial<ProofReport> = {}): ProofReport {
    return {
        ok: services.every((s) => s.ok),
        steps: [step("base-identity", true)],
        identities: { base: "arn:aws:sts::123456789012:assumed-role/host/i-1" },
        services,
        isolation: [
            { service: services[0]?.name ?? "a", bucket: "b", ok: true, observed: "AccessDenied" },
            {
                service: services[0]?.name ?? "a",
                bucket: "c",
                ok: false,
                observed: "leak",
                diagnosis: "d".repeat(500),
            },
        ],
        ...extra,
    };
}

describe("SSM wrapper: fitting the output", () => {
    it("keeps a short text, and the start and the end of a long one, saying how much was left out", () => {
        assert.strictEqual(fitText("short", 10), "short");
        assert.strictEqual(fitText("0123456789", 10), "0123456789");
        const text = `${"a".repeat(500)}${"z".repeat(500)}`;
        const fitted = fitText(text, 200);
        assert.strictEqual(fitted.length, 200);
        assert.ok(fitted.startsWith("a".repeat(50)));
        assert.ok(!fitted.startsWith("a".repeat(51)));
        assert.ok(fitted.endsWith("z".repeat(50)));
        assert.match(fitted, /\n\[… 800 characters left out to fit SSM's output limit …\]\n/);
    });

    it("passes a report that fits as compact JSON, and text that is not a report as text", () => {
        const small = report([service("a", true)]);
        assert.strictEqual(fitReport(JSON.stringify(small, null, 2)), JSON.stringify(small));
        assert.strictEqual(
            fitReport("verify: --bucket: is required\n\n"),
            "verify: --bucket: is required",
        );
        assert.strictEqual(fitReport("x".repeat(300), 100).length, 100);
    });

    it("drops what passed when the full report does not fit, keeping every failure whole", () => {
        const full = report([service("a", false), service("b", true)], { unreachable: false });
        const compact = JSON.stringify(full);
        const fitted = JSON.parse(fitReport(compact, compact.length - 1));
        assert.strictEqual(
            fitted.reduced,
            `the full report (${compact.length} characters) exceeds SSM's 24000-character output limit: steps and isolation rows that met their expectation are left out`,
        );
        assert.deepStrictEqual(
            [fitted.ok, fitted.unreachable, fitted.steps, fitted.identities],
            [false, false, [], full.identities],
        );
        assert.deepStrictEqual(
            fitted.services.map((s: ServiceReport) => [s.name, s.steps.map((x) => x.name)]),
            [
                ["a", ["assume-role"]],
                ["b", []],
            ],
        );
        // The agent's summaries are kept: they are what the operator reads first.
        const imds = { endpoint: "http://169.254.169.254", refused: true };
        const agent = {
            url: "u",
            routeProven: true,
            crossTokenRefused: true,
            noTokenRefused: true,
        };
        const withAgent = report([{ ...service("a", false), agent }], { imds });
        const text = JSON.stringify(withAgent);
        const reduced = JSON.parse(fitReport(text, text.length - 1));
        assert.deepStrictEqual([reduced.imds, reduced.services[0].agent], [imds, agent]);
        assert.deepStrictEqual(fitted.services[0].steps[0], full.services[0].steps[1]);
        assert.deepStrictEqual(fitted.isolation, [full.isolation[1]]);
        assert.ok(
            !(
                "unreachable" in
                JSON.parse(fitReport(JSON.stringify(report([service("a", false)])), 600))
            ),
        );
    });

    it("shortens the texts next, then keeps only the failing services that fit, then gives up plainly", () => {
        const long = "L".repeat(1_000);
        const full = report([
            service("a", false, long),
            service("b", true),
            service("c", false, long),
        ]);
        const compact = JSON.stringify(full);
        const brief = JSON.parse(fitReport(compact, 3_000));
        const failed = brief.services[0].steps[0];
        assert.strictEqual(failed.observed.length, 200);
        assert.ok(failed.observed.endsWith("…"));
        assert.strictEqual(failed.expected.length, 120);
        assert.strictEqual(failed.diagnosis.length, 400);
        assert.strictEqual(brief.isolation[0].diagnosis.length, 400);
        assert.deepStrictEqual(
            brief.services.map((s: ServiceReport) => s.name),
            ["a", "b", "c"],
        );

        const some = JSON.parse(fitReport(compact, 1_800));
        assert.deepStrictEqual(
            some.services.map((s: ServiceReport) => s.name),
            ["a"],
        );
        assert.match(some.reduced, /; 2 of 3 services left out \(passing ones first\)$/);

        assert.deepStrictEqual(JSON.parse(fitReport(compact, 700)), {
            ok: false,
            reduced: "the report does not fit SSM's output limit even reduced",
            steps: [],
            services: [],
            isolation: [],
        });
    });
});
