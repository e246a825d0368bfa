// The several-services host (SharedDevHost) under mocks: what the services stack creates and how
// it is named and parented, the exact host and service policies, the profiles' parameters, the
// proof's command and plan, existing buckets and roles, and every refusal before any resource.
import * as assert from "assert";

import { SharedDevHost, SharedDevHostArgs } from "../../components/sharedDevHost";
import {
    operatorConfig,
    runProgram,
    sshVerificationNames,
    stackFileConfig,
} from "../../lab/program";
import {
    allow,
    inlinePolicy,
    policyDocument,
    rolePoliciesOf,
    trustPolicy,
} from "../support/policyDocuments";
import { accountId, promiseOf, runMocked } from "../../lab/pulumiMocks";

const componentType = "rolepair:index:SharedDevHost";
const services = ["service-a", "service-b", "service-c"];
const roleArn = (logical: string) => `arn:aws:iam::${accountId}:role/${logical}-7f3a9c1`;
const bucketOf = (service: string) => `rolepair-${service}-bucket-7f3a9c1`;

const bucketSuffixes = [
    "",
    "-public-access-block",
    "-ownership",
    "-encryption",
    "-policy",
    "-versioning",
    "-lifecycle",
];
const perService = (s: string) => [
    ...bucketSuffixes.map((suffix) => `rolepair-${s}-bucket${suffix}`),
    `rolepair-${s}-target-role`,
    `rolepair-${s}-target-access`,
    `rolepair-${s}-profile-parameter`,
];
const hostNames = [
    "rolepair",
    "rolepair-host-role",
    "rolepair-host-profile",
    "rolepair-host-assume",
    "rolepair-host-read-profiles",
    "rolepair-host-sg",
    "rolepair-host",
];

describe("services stack (SharedDevHost) under mocks", () => {
    let run: Awaited<ReturnType<typeof runProgram>>;
    before(async () => {
        run = await runProgram("services", { ...stackFileConfig("services"), ...operatorConfig });
    });

    it("creates one host, and a role and a private bucket per service, all under the component", () => {
        assert.deepStrictEqual(
            run.resources.map((r) => r.name).sort(),
            [...hostNames, ...sshVerificationNames, ...services.flatMap(perService)].sort(),
        );
        for (const r of run.resources.filter((r) => r.type !== componentType)) {
            assert.strictEqual(r.parentType, componentType, `${r.name} is not parented`);
        }
        assert.strictEqual(run.all("aws:iam/role:Role").length, 4);
        assert.strictEqual(run.all("aws:ec2/instance:Instance").length, 1);
    });

    it("gives the host role sts:AssumeRole on exactly the three service roles, and a read of its own profiles' path", () => {
        const policies = rolePoliciesOf(run, "rolepair-host-role-7f3a9c1");
        assert.deepStrictEqual(policies.map((p) => p.name).sort(), [
            "rolepair-host-assume",
            "rolepair-host-read-profiles",
        ]);
        assert.deepStrictEqual(
            inlinePolicy(run, "rolepair-host-read-profiles"),
            policyDocument(
                allow(
                    "ReadOwnProfiles",
                    "ssm:GetParametersByPath",
                    `arn:aws:ssm:us-east-1:${accountId}:parameter/rolepair/rolepair/services/rolepair/profiles`,
                ),
            ),
        );
        assert.deepStrictEqual(
            inlinePolicy(run, "rolepair-host-assume"),
            policyDocument(
                allow(
                    "AssumeTargetRole",
                    "sts:AssumeRole",
                    services.map((s) => roleArn(`rolepair-${s}-target-role`)),
                ),
            ),
        );
    });

    it("scopes each service's policy to its own bucket only, and trusts the host role", () => {
        for (const s of services) {
            const access = inlinePolicy(run, `${s}-target-access`);
            const bucketArn = `arn:aws:s3:::${bucketOf(s)}`;
            assert.deepStrictEqual(
                access.Statement.map((st: any) => st.Resource),
                [bucketArn, `${bucketArn}/*`],
            );
            const trust = trustPolicy(run, `${s}-target-role`);
            assert.strictEqual(trust.Statement[0].Principal.AWS, roleArn("rolepair-host-role"));
        }
    });

    it("writes each service's AWS profile into an SSM parameter of its own, under the host's path", () => {
        assert.deepStrictEqual(
            run.all("aws:ssm/parameter:Parameter").map((p) => [p.inputs.name, p.inputs.value]),
            services.map((s) => [
                `/rolepair/rolepair/services/rolepair/profiles/${s}`,
                `{"v":1,"roleArn":"${roleArn(`rolepair-${s}-target-role`)}","region":"us-east-1"}`,
            ]),
        );
        const userData: string = run.find("aws:ec2/instance:Instance", "rolepair-host").inputs
            .userData;
        assert.doesNotMatch(userData, /service-|role_arn =/);
    });

    it("syncs the profiles on the host before the proof, again when a profile changes", () => {
        const sync = run.find("command:remote:Command", "rolepair-sync-profiles");
        assert.strictEqual(
            sync.inputs.create,
            'if [ "$(id -u)" -eq 0 ]; then bash -s; else sudo -n bash -s; fi',
        );
        assert.match(
            sync.inputs.stdin,
            /^ExecStart=\S+ \S+ --path \/rolepair\/rolepair\/services\/rolepair\/profiles --config /m,
        );
        assert.match(sync.inputs.stdin, /systemctl start rolepair-profiles\.service/);
        const [agentHash, profilesHash, instanceId] = sync.inputs.triggers;
        assert.match(agentHash, /^[0-9a-f]{64}$/);
        assert.match(profilesHash, /^[0-9a-f]{64}$/);
        assert.strictEqual(instanceId, "i-0123456789abcdef0");
        const ready = run.find("command:remote:Command", "rolepair-wait-for-host");
        assert.ok(sync.dependencies.includes(ready.urn), "syncs once the host is up");
        for (const parameter of run.all("aws:ssm/parameter:Parameter")) {
            assert.ok(ready.dependencies.includes(parameter.urn), `waits for ${parameter.name}`);
        }
        const verify = run.find("command:remote:Command", "rolepair-verify");
        assert.ok(verify.dependencies.includes(sync.urn), "the proof runs after the sync");
    });

    it("runs verify with the plan on stdin, and the exact command line", () => {
        const verify = run.find("command:remote:Command", "rolepair-verify").inputs;
        assert.strictEqual(
            verify.create,
            "node /home/ec2-user/rolepair-verify.js --targets - --region us-east-1 --propagation-timeout 120 --json",
        );
        assert.deepStrictEqual(
            JSON.parse(verify.stdin),
            services.map((s) => ({
                name: s,
                roleArn: roleArn(`rolepair-${s}-target-role`),
                bucket: bucketOf(s),
                objectActions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                profile: s,
            })),
        );
        // The plan is part of what re-runs the proof.
        assert.strictEqual(verify.triggers[1].length, 3 * 2 + 2);
    });

    it("exports each service's role, bucket and profile", async () => {
        assert.deepStrictEqual(
            await promiseOf(run.loaded.services),
            Object.fromEntries(
                services.map((s) => [
                    s,
                    {
                        roleArn: roleArn(`rolepair-${s}-target-role`),
                        bucketName: bucketOf(s),
                        profileName: s,
                    },
                ]),
            ),
        );
        assert.strictEqual(await promiseOf(run.loaded.hostRoleArn), roleArn("rolepair-host-role"));
        assert.strictEqual(run.loaded.targetRoleArn, undefined);
    });
});

async function runShared(args: SharedDevHostArgs) {
    return runMocked("test", {}, async () => {
        const shared = new SharedDevHost("dev", args);
        return { shared, services: shared.services };
    });
}

describe("SharedDevHost with existing buckets and roles", () => {
    const legacyRole = `arn:aws:iam::${accountId}:role/legacy-reports`;
    let run: Awaited<ReturnType<typeof runShared>>;
    before(async () => {
        run = await runShared({
            sshIngressCidr: "203.0.113.7/32",
            services: {
                web: {},
                reports: { bucketName: "acme-reports", objectActions: ["s3:GetObject"] },
                legacy: { roleArn: legacyRole, bucketName: "acme-legacy", externalId: "ext-1" },
            },
        });
    });

    it("creates no bucket for an existing bucket, and scopes the new role to it", () => {
        assert.deepStrictEqual(
            run.all("aws:s3/bucket:Bucket").map((b) => b.name),
            ["dev-web-bucket"],
        );
        assert.deepStrictEqual(inlinePolicy(run, "dev-reports-target-access").Statement, [
            allow("ListTheBucket", "s3:ListBucket", "arn:aws:s3:::acme-reports"),
            allow("UseTheBucketObjects", ["s3:GetObject"], "arn:aws:s3:::acme-reports/*"),
        ]);
    });

    it("creates no role for an existing role, and lets the host assume it", () => {
        assert.deepStrictEqual(
            run
                .all("aws:iam/role:Role")
                .map((r) => r.name)
                .sort(),
            ["dev-host-role", "dev-reports-target-role", "dev-web-target-role"],
        );
        const hostAssume = inlinePolicy(run, "dev-host-assume");
        assert.deepStrictEqual(hostAssume.Statement[0].Resource, [
            roleArn("dev-web-target-role"),
            roleArn("dev-reports-target-role"),
            legacyRole,
        ]);
    });

    it("proves each service with its declared actions and ExternalId", () => {
        const plan = JSON.parse(run.find("command:remote:Command", "dev-verify").inputs.stdin);
        assert.deepStrictEqual(plan[1].objectActions, ["s3:GetObject"]);
        assert.deepStrictEqual(plan[2], {
            name: "legacy",
            roleArn: legacyRole,
            bucket: "acme-legacy",
            externalId: "ext-1",
            objectActions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            profile: "legacy",
        });
        assert.strictEqual(
            run.find("aws:ssm/parameter:Parameter", "dev-legacy-profile-parameter").inputs.value,
            '{"v":1,"roleArn":"arn:aws:iam::123456789012:role/legacy-reports","region":"us-east-1","externalId":"ext-1"}',
        );
    });

    it("sets the permissions boundary on the host role and every new service role", async () => {
        const boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
        const bounded = await runShared({
            verify: false,
            permissionsBoundary: boundary,
            services: { web: {}, api: {}, legacy: { roleArn: legacyRole, bucketName: "acme-1" } },
        });
        const roles = bounded.all("aws:iam/role:Role");
        assert.deepStrictEqual(roles.map((r) => r.name).sort(), [
            "dev-api-target-role",
            "dev-host-role",
            "dev-web-target-role",
        ]);
        for (const role of roles) assert.strictEqual(role.inputs.permissionsBoundary, boundary);
    });

    it("with verify false creates no SSH-related resource", async () => {
        const off = await runShared({ verify: false, services: { web: {} } });
        for (const type of [
            "tls:index/privateKey:PrivateKey",
            "aws:ec2/keyPair:KeyPair",
            "command:local:Command",
            "command:remote:Command",
            "command:remote:CopyToRemote",
        ]) {
            assert.strictEqual(off.all(type).length, 0, type);
        }
        assert.strictEqual(off.loaded.shared.verification, undefined);
    });
});

describe("SharedDevHost refuses bad input before creating anything", () => {
    const base = { sshIngressCidr: "203.0.113.7/32" };
    const cases: [string, SharedDevHostArgs, RegExp][] = [
        [
            "no services",
            { ...base, services: {} },
            /^Invalid services: \{\}\. Accepted: a map of at least one service/,
        ],
        [
            "a service name with capitals",
            { ...base, services: { Service_A: {} } },
            /^Invalid services\.Service_A: "Service_A"\. Accepted: 1 to 32 characters of lowercase letters, digits and hyphens/,
        ],
        [
            "a service name of 33 characters",
            { ...base, services: { ["a".repeat(33)]: {} } },
            /^Invalid services\.a{33}: "a{33}"\. Accepted: 1 to 32/,
        ],
        [
            "an unknown key in a service",
            { ...base, services: { web: { bucketNme: "x" } as never } },
            /^Invalid services\.web\.bucketNme: "x"\. Accepted: no such setting; a service accepts trustMode, /,
        ],
        [
            "a malformed role ARN",
            {
                ...base,
                services: { web: { roleArn: "arn:aws:iam::12345:role/x", bucketName: "b-1" } },
            },
            /^Invalid services\.web\.roleArn: "arn:aws:iam::12345:role\/x"\. Accepted: an IAM role ARN/,
        ],
        [
            "an existing role without its bucket",
            { ...base, services: { web: { roleArn: `arn:aws:iam::${accountId}:role/x` } } },
            /^Invalid services\.web\.bucketName: not set\. Accepted: the existing bucket the existing role \(roleArn\) is expected to reach; required with roleArn\.$/,
        ],
        [
            "trustMode on an existing role",
            {
                ...base,
                services: {
                    web: {
                        roleArn: `arn:aws:iam::${accountId}:role/x`,
                        bucketName: "b-1",
                        trustMode: "role",
                    },
                },
            },
            /^Invalid services\.web\.trustMode: "role"\. Accepted: nothing with roleArn/,
        ],
        [
            "bucketPrefix with an existing bucket",
            { ...base, services: { web: { bucketName: "b-1", bucketPrefix: "web" } } },
            /^Invalid services\.web\.bucketPrefix: "web"\. Accepted: nothing with bucketName/,
        ],
        [
            "two services on one existing bucket",
            { ...base, services: { a: { bucketName: "shared-1" }, b: { bucketName: "shared-1" } } },
            /^Invalid services\.b\.bucketName: "shared-1"\. Accepted: a bucket no other service names \(service a has it\)/,
        ],
        [
            "a bucket name with dots",
            { ...base, services: { a: { bucketName: "my.bucket" } } },
            /^Invalid services\.a\.bucketName: "my\.bucket"\. Accepted: an existing S3 bucket name/,
        ],
        [
            "a bad trustMode in one service",
            { ...base, services: { a: {}, b: { trustMode: "anyone" as never } } },
            /^Invalid services\.b\.trustMode: "anyone"\. Accepted: one of "role", "account-root"\.$/,
        ],
        [
            "no SSH CIDR with verify on",
            { services: { a: {} } },
            /^Invalid sshIngressCidr: not set\. Accepted: an IPv4 CIDR/,
        ],
    ];
    for (const [label, args, message] of cases) {
        it(`refuses ${label}`, async () => {
            let error: Error | undefined;
            const run = await runMocked("test", {}, async () => {
                try {
                    new SharedDevHost("dev", args);
                } catch (e) {
                    error = e as Error;
                }
                return {};
            });
            assert.match(String(error?.message), message);
            assert.strictEqual(run.resources.length, 0);
        });
    }

    describe("through the services stack's config", () => {
        const configCases: [string, string[] | Record<string, string>, RegExp][] = [
            [
                "a bad service name",
                ["service-a", "Service B"],
                /^Invalid rolepair:services\[1\]: "Service"\. Accepted: 1 to 32 characters/,
            ],
            [
                "an unknown key in an entry",
                ["service-a", "service-b bucketNme=legacy"],
                /^Invalid rolepair:services\[1\]\.bucketNme: "bucketNme=legacy"\. Accepted: key=value with a key among trustMode, /,
            ],
            [
                "a malformed ARN in an entry",
                ["service-a roleArn=arn:aws:iam::1:role/x bucketName=legacy-1"],
                /^Invalid rolepair:services\[0\]\.roleArn: "arn:aws:iam::1:role\/x"\. Accepted: an IAM role ARN/,
            ],
            [
                "a duplicate bucket",
                ["service-a bucketName=legacy-1", "service-b bucketName=legacy-1"],
                /^Invalid rolepair:services\[1\]\.bucketName: "legacy-1"\. Accepted: a bucket no other service names \(service service-a has it\)/,
            ],
            [
                "a duplicate service",
                ["service-a", "service-a objectActions=s3:GetObject"],
                /^Invalid rolepair:services\[1\]: "service-a objectActions=s3:GetObject"\. Accepted: a service name used once/,
            ],
            [
                "a wildcard action in an entry",
                ["service-a objectActions=s3:GetObject,s3:*"],
                /^Invalid rolepair:services\[0\]\.objectActions\[1\]: "s3:\*"/,
            ],
            [
                "a profile name beside services",
                { "rolepair:awsProfileName": "app" },
                /^Invalid rolepair:awsProfileName: "app"\. Accepted: no value with rolepair:services: each service's profile is named after the service\.$/,
            ],
            [
                "a pair-only key beside services",
                { "rolepair:trustMode": "account-root" },
                /^Invalid rolepair:trustMode: "account-root"\. Accepted: no value with rolepair:services: set it per service/,
            ],
        ];
        for (const [label, value, message] of configCases) {
            it(`refuses ${label} and registers nothing`, async () => {
                const extra = Array.isArray(value)
                    ? { "rolepair:services": JSON.stringify(value) }
                    : value;
                let error: Error | undefined;
                await runProgram("services", {
                    ...stackFileConfig("services"),
                    ...operatorConfig,
                    ...extra,
                }).catch((e: Error) => (error = e));
                assert.match(String(error?.message), message);
                const { getMonitor } = await import("@pulumi/pulumi/runtime");
                assert.strictEqual((getMonitor() as any).getRegisteredResources().size, 0);
            });
        }
    });
});
