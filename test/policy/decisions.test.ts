// What the generated policies mean, judged by an IAM simulator over the documents the stack
// program really generates (moto cannot judge trust policies: it compares principals literally).
import * as assert from "assert";

import {
    decisionTable,
    evaluate,
    GeneratedDocuments,
    generatedDocuments,
    stackCases,
    StackCase,
} from "../support/policyOracle";

type Docs = GeneratedDocuments;
const clone = (docs: Docs): Docs => JSON.parse(JSON.stringify(docs));
const statements = (doc: { Statement: unknown[] }) => doc.Statement as Record<string, any>[];

describe("policy decisions (IAM simulator)", () => {
    const cases = stackCases();
    const docsByStack = new Map<string, Docs>();

    before(async () => {
        for (const c of cases) docsByStack.set(c.label, await generatedDocuments(c));
    });

    for (const c of cases) {
        describe(c.label, () => {
            it("every row of the decision table has its expected decision", async () => {
                const rows = await evaluate(decisionTable(c, docsByStack.get(c.label)!));
                const wrong = rows.filter((r) => r.actual !== r.expected);
                assert.deepStrictEqual(
                    wrong.map(
                        (r) =>
                            `${r.principal} ${r.action} ${r.resource}: ${r.actual}, expected ${r.expected}`,
                    ),
                    [],
                );
                assert.ok(rows.length >= 16, "the table must cover every principal and action");
            });
        });
    }

    it('the seed\'s "problem" variant: allowed under role-ARN trust, denied under root trust', async () => {
        for (const [label, expected] of [
            ["dev", "allowed"],
            ["root-trust", "denied"],
        ] as const) {
            const c = cases.find((x) => x.label === label)!;
            const rows = await evaluate(decisionTable(c, docsByStack.get(label)!));
            const problem = rows.find((r) => r.principal.includes('"problem" variant'))!;
            assert.strictEqual(problem.actual, expected, label);
        }
    });

    // The table must be able to fail: loosen or tighten one document in the wrong place and the
    // table must show at least one unexpected decision, on the row that guards that place.
    const mutations: {
        label: string;
        stack: string;
        mutate: (d: Docs) => void;
        catches: RegExp;
    }[] = [
        {
            label: "host role gains s3:GetObject on the bucket",
            stack: "dev",
            mutate: (d) =>
                statements(d.hostPolicies[0]).push({
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: `${d.bucketArn}/*`,
                }),
            catches: /^host session s3:GetObject/,
        },
        {
            label: "target access widened to every bucket",
            stack: "dev",
            mutate: (d) => statements(d.targetPolicies[0]).forEach((s) => (s.Resource = "*")),
            catches: /someone-elses-bucket/,
        },
        {
            label: "target access given s3:* on the bucket and its objects",
            stack: "root-trust",
            mutate: (d) =>
                statements(d.targetPolicies[0]).push({
                    Effect: "Allow",
                    Action: "s3:*",
                    Resource: [d.bucketArn, `${d.bucketArn}/*`],
                }),
            catches: /s3:(DeleteBucket|PutBucketPolicy)/,
        },
        {
            label: "dev trust loosened to the account root",
            stack: "dev",
            mutate: (d) =>
                (statements(d.targetTrust)[0].Principal = {
                    AWS: "arn:aws:iam::123456789012:root",
                }),
            catches: /another role of the account/,
        },
        {
            label: "trustedPrincipalArns condition dropped",
            stack: "root-trust + trustedPrincipalArns",
            mutate: (d) => delete statements(d.targetTrust)[0].Condition,
            catches: /another role of the account/,
        },
        {
            label: "ExternalId condition dropped",
            stack: "root-trust + externalId",
            mutate: (d) => delete statements(d.targetTrust)[0].Condition,
            catches: /sts:AssumeRole/,
        },
        {
            label: "TLS-only bucket policy lost",
            stack: "dev",
            mutate: (d) => (d.bucketPolicy = { Version: "2012-10-17", Statement: [] }),
            catches: /aws:SecureTransport=false/,
        },
        {
            label: "target access tightened in the wrong place (PutObject dropped)",
            stack: "root-trust",
            mutate: (d) =>
                (statements(d.targetPolicies[0])[1].Action = ["s3:GetObject", "s3:DeleteObject"]),
            catches: /^target session s3:PutObject/,
        },
        {
            label: "host's AssumeRole permission pointed at another role",
            stack: "root-trust",
            mutate: (d) =>
                (statements(d.hostPolicies[0])[0].Resource =
                    "arn:aws:iam::123456789012:role/other"),
            catches: /^host session sts:AssumeRole/,
        },
    ];
    for (const m of mutations) {
        it(`catches a mutation: ${m.label}`, async () => {
            const c: StackCase = cases.find((x) => x.label === m.stack)!;
            const docs = clone(docsByStack.get(m.stack)!);
            m.mutate(docs);
            const rows = await evaluate(decisionTable(c, docs));
            const wrong = rows
                .filter((r) => r.actual !== r.expected)
                .map((r) => `${r.principal} ${r.action} ${r.resource}`);
            assert.ok(wrong.length > 0, "the mutation went unnoticed");
            assert.ok(
                wrong.some((w) => m.catches.test(w)),
                `caught on other rows only: ${wrong.join("; ")}`,
            );
        });
    }
});
