// What the generated policies mean, judged by an IAM simulator over the documents the stack
// program really generates (moto cannot judge trust policies: it compares principals literally).
import * as assert from "assert";

import {
    decisionTable,
    evaluate,
    Evaluated,
    GeneratedDocuments,
    generatedDocuments,
    objectIn,
    rowKey,
    stackCases,
    StackCase,
    profilesPathArn,
} from "../../lab/policyOracle";

type Docs = GeneratedDocuments;
const clone = (docs: Docs): Docs => JSON.parse(JSON.stringify(docs));
const statements = (doc: { Statement: unknown[] }) => doc.Statement as Record<string, any>[];
const service = (d: Docs, name: string) => d.services.find((s) => s.name === name)!;
/** Any object in the bucket of service `name`. */
const objectOf = (d: Docs, name: string) => objectIn(service(d, name).bucketArn);
const key = (principal: string, action: string, resource: string) =>
    rowKey({ principal, action, resource });
/** What flips when `principal` gains the use of `bucketArn`: listing it, reading and writing objects. */
const bucketUse = (principal: string, bucketArn: string) => [
    key(principal, "s3:ListBucket", bucketArn),
    key(principal, "s3:GetObject", objectIn(bucketArn)),
    key(principal, "s3:PutObject", objectIn(bucketArn)),
];
const pairOther = "another role of the account (holds sts:AssumeRole on target)";
const pairProblem = 'host session, "problem" variant (no sts:AssumeRole permission)';
const servicesOther = "another role of the account (holds sts:AssumeRole on every service role)";
const unexpected = (rows: Evaluated[]) =>
    rows.filter((r) => r.actual !== r.expected).map((r) => rowKey(r));

describe("policy decisions (IAM simulator)", () => {
    const cases = stackCases();
    const docsByStack = new Map<string, Docs>();
    const caseOf = (label: string): StackCase => cases.find((x) => x.label === label)!;

    before(async () => {
        for (const c of cases) docsByStack.set(c.label, await generatedDocuments(c));
    });

    for (const c of cases) {
        describe(c.label, () => {
            it("every row of the decision table has its expected decision", async () => {
                const rows = await evaluate(decisionTable(c, docsByStack.get(c.label)!));
                assert.deepStrictEqual(
                    rows
                        .filter((r) => r.actual !== r.expected)
                        .map((r) => `${rowKey(r)}: ${r.actual}, expected ${r.expected}`),
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
            const rows = await evaluate(decisionTable(caseOf(label), docsByStack.get(label)!));
            const problem = rows.find((r) => r.principal.includes('"problem" variant'))!;
            assert.strictEqual(problem.actual, expected, label);
        }
    });

    // Written out here, apart from the oracle's expectations: in a services stack the only allowed
    // rows are AssumeRole into a service role (by the host; by the host without permission under
    // role trust, the same-account rule; by another role under account-root trust) and each
    // service on its own bucket with its own actions.
    const all = ["s3:ListBucket", "s3:GetObject", "s3:PutObject"];
    for (const { label, rootTrusted, actions } of [
        { label: "services", rootTrusted: [], actions: { "service-c": all } },
        {
            label: "services, mixed settings",
            rootTrusted: ["service-b"],
            actions: { "service-c": ["s3:ListBucket", "s3:GetObject"] },
        },
    ]) {
        it(`${label}: allowed exactly AssumeRole into the service roles and each service's own bucket`, async () => {
            const docs = docsByStack.get(label)!;
            const rows = await evaluate(decisionTable(caseOf(label), docs));
            const ownProfiles = key(
                "host session",
                "ssm:GetParametersByPath",
                profilesPathArn("services"),
            );
            const expected = [
                ownProfiles,
                ...docs.services.flatMap((s) => [
                    key("host session", "sts:AssumeRole", s.roleArn),
                    rootTrusted.includes(s.name)
                        ? key(servicesOther, "sts:AssumeRole", s.roleArn)
                        : key(
                              "host session without sts:AssumeRole permission",
                              "sts:AssumeRole",
                              s.roleArn,
                          ),
                    ...(s.name === "service-c" ? actions["service-c"] : all).map((action) =>
                        key(
                            `${s.name} session`,
                            action,
                            action === "s3:ListBucket" ? s.bucketArn : objectIn(s.bucketArn),
                        ),
                    ),
                ]),
            ];
            assert.deepStrictEqual(
                rows
                    .filter((r) => r.actual === "allowed")
                    .map(rowKey)
                    .sort(),
                expected.sort(),
            );
            assert.strictEqual(
                rows.filter((r) => / session$/.test(r.principal) && r.principal !== "host session")
                    .length,
                3 * 3 * 3 + 3,
                "every service × every bucket × {ListBucket, GetObject, PutObject}, plus plain HTTP",
            );
        });
    }

    // The table must be able to fail: loosen or tighten one document in the wrong place and
    // exactly the rows that guard that place must turn unexpected.
    const mutations: {
        label: string;
        stack: string;
        mutate: (d: Docs) => void;
        /** The rows that must flip, and no other. */
        flips: (d: Docs) => string[];
    }[] = [
        {
            label: "host read of profiles widened to every rolepair path",
            stack: "services",
            mutate: (d) =>
                d.hostPolicies
                    .flatMap(statements)
                    .filter((s) => s.Action === "ssm:GetParametersByPath")
                    .forEach((s) => (s.Resource = "arn:aws:ssm:*:*:parameter/rolepair/*")),
            flips: () => [
                key(
                    "host session",
                    "ssm:GetParametersByPath",
                    profilesPathArn("services", "other-host"),
                ),
            ],
        },
        {
            label: "host role gains s3:GetObject on the bucket",
            stack: "dev",
            mutate: (d) =>
                statements(d.hostPolicies[0]).push({
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: `${d.services[0].bucketArn}/*`,
                }),
            flips: (d) => [key("host session", "s3:GetObject", objectIn(d.services[0].bucketArn))],
        },
        {
            label: "target access widened to every bucket",
            stack: "dev",
            mutate: (d) => statements(d.services[0].policies[0]).forEach((s) => (s.Resource = "*")),
            flips: () => [
                key("target session", "s3:ListBucket", "arn:aws:s3:::someone-elses-bucket"),
                key("target session", "s3:GetObject", "arn:aws:s3:::someone-elses-bucket/x"),
            ],
        },
        {
            label: "target access given s3:* on the bucket and its objects",
            stack: "root-trust",
            mutate: (d) =>
                statements(d.services[0].policies[0]).push({
                    Effect: "Allow",
                    Action: "s3:*",
                    Resource: [d.services[0].bucketArn, `${d.services[0].bucketArn}/*`],
                }),
            flips: (d) => [
                key("target session", "s3:DeleteBucket", d.services[0].bucketArn),
                key("target session", "s3:PutBucketPolicy", d.services[0].bucketArn),
            ],
        },
        {
            label: "dev trust loosened to the account root",
            stack: "dev",
            mutate: (d) =>
                (statements(d.services[0].trust)[0].Principal = {
                    AWS: "arn:aws:iam::123456789012:root",
                }),
            flips: (d) => [
                key(pairOther, "sts:AssumeRole", d.services[0].roleArn),
                // Root trust also needs the identity policy: the "problem" host is now refused.
                key(pairProblem, "sts:AssumeRole", d.services[0].roleArn),
            ],
        },
        {
            label: "trustedPrincipalArns condition dropped",
            stack: "root-trust + trustedPrincipalArns",
            mutate: (d) => delete statements(d.services[0].trust)[0].Condition,
            flips: (d) => [key(pairOther, "sts:AssumeRole", d.services[0].roleArn)],
        },
        {
            label: "ExternalId condition dropped",
            stack: "root-trust + externalId",
            mutate: (d) => delete statements(d.services[0].trust)[0].Condition,
            flips: (d) => [
                key(pairOther, "sts:AssumeRole", d.services[0].roleArn),
                key("host session", "sts:AssumeRole", d.services[0].roleArn),
            ],
        },
        {
            label: "TLS-only bucket policy lost",
            stack: "dev",
            mutate: (d) => (d.services[0].bucketPolicy = { Version: "2012-10-17", Statement: [] }),
            flips: (d) =>
                ["s3:GetObject", "s3:PutObject"].map((a) =>
                    key(
                        "target session",
                        `${a} (aws:SecureTransport=false)`,
                        objectIn(d.services[0].bucketArn),
                    ),
                ),
        },
        {
            label: "target access tightened in the wrong place (PutObject dropped)",
            stack: "root-trust",
            mutate: (d) =>
                (statements(d.services[0].policies[0])[1].Action = [
                    "s3:GetObject",
                    "s3:DeleteObject",
                ]),
            flips: (d) => [
                key("target session", "s3:PutObject", objectIn(d.services[0].bucketArn)),
            ],
        },
        {
            label: "host's AssumeRole permission pointed at another role",
            stack: "root-trust",
            mutate: (d) =>
                (statements(d.hostPolicies[0])[0].Resource =
                    "arn:aws:iam::123456789012:role/other"),
            flips: (d) => [key("host session", "sts:AssumeRole", d.services[0].roleArn)],
        },
        // The services matrix: one service's policy, the host's, or one trust, changed alone.
        {
            label: "service-a's access statements merged into service-b's policy",
            stack: "services",
            mutate: (d) =>
                statements(service(d, "service-b").policies[0]).push(
                    ...statements(service(d, "service-a").policies[0]),
                ),
            flips: (d) => bucketUse("service-b session", service(d, "service-a").bucketArn),
        },
        {
            label: "service-c's policy scoped to every bucket (arn:aws:s3:::*)",
            stack: "services",
            mutate: (d) => {
                const [list, objects] = statements(service(d, "service-c").policies[0]);
                list.Resource = "arn:aws:s3:::*";
                objects.Resource = "arn:aws:s3:::*/*";
            },
            flips: (d) =>
                ["service-a", "service-b"].flatMap((other) =>
                    bucketUse("service-c session", service(d, other).bucketArn),
                ),
        },
        {
            label: "host role gains s3:PutObject on service-b's bucket",
            stack: "services",
            mutate: (d) =>
                statements(d.hostPolicies[0]).push({
                    Effect: "Allow",
                    Action: "s3:PutObject",
                    Resource: `${service(d, "service-b").bucketArn}/*`,
                }),
            flips: (d) => [key("host session", "s3:PutObject", objectOf(d, "service-b"))],
        },
        {
            label: "host-assume scoped to every role",
            stack: "services",
            mutate: (d) => (statements(d.hostPolicies[0])[0].Resource = "*"),
            flips: () => [
                key("host session", "sts:AssumeRole", "arn:aws:iam::123456789012:role/another-app"),
            ],
        },
        {
            label: "service-b's ARN removed from host-assume (service-b trusts the account root)",
            stack: "services, mixed settings",
            mutate: (d) => {
                const [assume] = statements(d.hostPolicies[0]);
                assume.Resource = (assume.Resource as string[]).filter(
                    (arn) => arn !== service(d, "service-b").roleArn,
                );
            },
            flips: (d) => [key("host session", "sts:AssumeRole", service(d, "service-b").roleArn)],
        },
        {
            label: "service-a's trust loosened to the account root",
            stack: "services",
            mutate: (d) =>
                (statements(service(d, "service-a").trust)[0].Principal = {
                    AWS: "arn:aws:iam::123456789012:root",
                }),
            flips: (d) => [
                key(servicesOther, "sts:AssumeRole", service(d, "service-a").roleArn),
                key(
                    "host session without sts:AssumeRole permission",
                    "sts:AssumeRole",
                    service(d, "service-a").roleArn,
                ),
            ],
        },
        {
            label: "service-c (objectActions=s3:GetObject) given s3:PutObject",
            stack: "services, mixed settings",
            mutate: (d) =>
                (statements(service(d, "service-c").policies[0])[1].Action = [
                    "s3:GetObject",
                    "s3:PutObject",
                ]),
            flips: (d) => [key("service-c session", "s3:PutObject", objectOf(d, "service-c"))],
        },
        {
            label: "service-b's bucket loses its TLS-only policy",
            stack: "services",
            mutate: (d) =>
                (service(d, "service-b").bucketPolicy = { Version: "2012-10-17", Statement: [] }),
            flips: (d) => [
                key(
                    "service-b session",
                    "s3:GetObject (aws:SecureTransport=false)",
                    objectOf(d, "service-b"),
                ),
            ],
        },
        {
            // The attachment is really evaluated: without it the agent's calls are refused.
            label: "the SSM managed policy missing from the host role (verifyTransport ssm)",
            stack: "dev, verifyTransport ssm",
            // host-assume, host-read-profiles, then the managed policy.
            mutate: (d) => d.hostPolicies.splice(2),
            flips: () => {
                const instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0";
                return [
                    key("host session", "ssm:UpdateInstanceInformation", instance),
                    key("host session", "ssmmessages:OpenControlChannel", "*"),
                    key("host session", "ec2messages:GetMessages", "*"),
                    key("host session", "ssm:GetParameter", `${profilesPathArn("dev")}/target`),
                ];
            },
        },
        {
            label: "the SSM managed policy widened to s3:* (verifyTransport ssm)",
            stack: "services, verifyTransport ssm",
            mutate: (d) =>
                statements(d.hostPolicies[2]).push({
                    Effect: "Allow",
                    Action: "s3:*",
                    Resource: "*",
                }),
            flips: (d) => [
                ...d.services.flatMap((s) => bucketUse("host session", s.bucketArn)),
                key("host session", "s3:ListAllMyBuckets", "*"),
            ],
        },
    ];
    const flipsOf = async (stack: string, mutate: (d: Docs) => void) => {
        const docs = clone(docsByStack.get(stack)!);
        mutate(docs);
        return { docs, flipped: unexpected(await evaluate(decisionTable(caseOf(stack), docs))) };
    };
    for (const m of mutations) {
        it(`catches a mutation: ${m.label}`, async () => {
            const { docs, flipped } = await flipsOf(m.stack, m.mutate);
            assert.deepStrictEqual(flipped.sort(), m.flips(docs).sort());
        });
    }

    // What the table cannot see, stated so that a change in it is noticed: under role trust the
    // trust alone admits the host (same-account rule), so the host-assume list guards nothing there.
    it("a role-trust service's ARN removed from host-assume: no row flips", async () => {
        const { flipped } = await flipsOf("services", (d) => {
            const [assume] = statements(d.hostPolicies[0]);
            assume.Resource = (assume.Resource as string[]).filter(
                (arn) => arn !== service(d, "service-a").roleArn,
            );
        });
        assert.deepStrictEqual(flipped, []);
    });
});
