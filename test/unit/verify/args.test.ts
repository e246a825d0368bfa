// verify's flags and plan (verify/host/proof/args.ts, flagValues.ts, planInputs.ts,
// contract/plan.ts, flags.ts, usageError.ts): every usage error names the flag or plan path, the
// value and what is accepted, all at once.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { parseArgs, resolveArgs } from "../../../verify/host/proof/args";
import {
    instanceIdFlag,
    numberFlag,
    pollIntervalFlag,
    regionFlag,
} from "../../../verify/cli/flags";
import { declaredActions, validatePlan } from "../../../contract/plan";
import { awsConfigPath, profileRegion } from "../../../contract/region";
import { UsageCollector, UsageError, UsageErrors } from "../../../contract/usageError";

const role = "arn:aws:iam::123456789012:role/svc";
const env = { AWS_REGION: "eu-west-1" };
const single = ["--bucket", "bucket-a", "--role-arn", role];

/** The messages of every usage error `run` throws. */
function usageErrors(run: () => unknown): string[] {
    try {
        run();
    } catch (error) {
        if (error instanceof UsageErrors) return error.errors.map((e) => e.message);
        if (error instanceof UsageError) return [error.message];
        throw error;
    }
    assert.fail("expected a usage error");
}

describe("verify flags", () => {
    it("reads a single target with defaults", () => {
        const options = parseArgs(single, { ...env, AWS_ENDPOINT_URL: "" });
        assert.deepStrictEqual(
            { ...options, sessionName: "-" },
            {
                targets: [{ name: "target", roleArn: role, bucket: "bucket-a" }],
                region: "eu-west-1",
                sessionName: "-",
                perServiceSessions: false,
                durationSeconds: 900,
                propagationTimeoutMs: 120_000,
                concurrency: 64,
                json: false,
                endpoint: undefined,
            },
        );
        assert.match(options.sessionName, /^rolepair-verify-\d{13}$/);
    });

    it("reads every flag, in both forms", () => {
        const options = parseArgs(
            [
                "--bucket=bucket-a",
                "--role-arn",
                role,
                "--external-id",
                "-starts-with-dash".slice(1),
                "--profile",
                "svc",
                "--region",
                "us-west-2",
                "--session-name",
                "s-1",
                "--duration-seconds",
                "3600",
                "--propagation-timeout",
                "0",
                "--json",
            ],
            { AWS_ENDPOINT_URL: "http://127.0.0.1:5000" },
        );
        assert.deepStrictEqual(options, {
            targets: [
                {
                    name: "target",
                    roleArn: role,
                    bucket: "bucket-a",
                    externalId: "starts-with-dash",
                    profile: "svc",
                },
            ],
            region: "us-west-2",
            sessionName: "s-1",
            perServiceSessions: false,
            durationSeconds: 3600,
            propagationTimeoutMs: 0,
            concurrency: 64,
            json: true,
            endpoint: "http://127.0.0.1:5000",
        });
        assert.strictEqual(
            parseArgs([...single, "--external-id=-x1"], env).targets[0].externalId,
            "-x1",
        );
    });

    it("takes the region from AWS_REGION, then AWS_DEFAULT_REGION", () => {
        assert.strictEqual(
            parseArgs(single, { AWS_DEFAULT_REGION: "ap-south-1" }).region,
            "ap-south-1",
        );
        assert.strictEqual(
            parseArgs(single, { AWS_REGION: "eu-west-3", AWS_DEFAULT_REGION: "ap-south-1" }).region,
            "eu-west-3",
        );
        assert.strictEqual(
            parseArgs(single, { AWS_REGION: "", AWS_DEFAULT_REGION: "ap-south-1" }).region,
            "ap-south-1",
        );
    });

    it("reports every bad flag at once, each naming the flag, the value and what is accepted", () => {
        assert.deepStrictEqual(
            usageErrors(() =>
                parseArgs(
                    [
                        "--bucket",
                        "Bad_Bucket",
                        "--role-arn",
                        "arn:aws:iam::12:role/x",
                        "--external-id",
                        "x",
                        "--profile",
                        "bad profile",
                        "--region",
                        "mars",
                        "--session-name",
                        "a",
                        "--duration-seconds",
                        "899",
                        "--propagation-timeout",
                        "3601",
                        "--json=yes",
                        "--frobnicate",
                    ],
                    {},
                ),
            ),
            [
                "--json: takes no value",
                "--frobnicate: unknown flag; accepted: --targets, --bucket, --role-arn, --region, --session-name, --external-id, --duration-seconds, --profile, --propagation-timeout, --concurrency, --agent-url, --agent-token-dir, --json",
                '--bucket: got "Bad_Bucket"; expected an existing S3 bucket name: 3 to 63 lowercase letters, digits and hyphens',
                '--role-arn: got "arn:aws:iam::12:role/x"; expected an IAM role ARN such as arn:aws:iam::123456789012:role/service-c (no wildcards)',
                '--external-id: got "x"; expected 2 to 1224 characters of letters, digits and +=,.@:/-_',
                '--profile: got "bad profile"; expected 1 to 64 characters of letters, digits and _.-',
                '--region: got "mars"; expected a region such as us-east-1',
                '--session-name: got "a"; expected 2 to 64 characters of letters, digits and +=,.@-_',
                '--duration-seconds: got "899"; expected an integer from 900 to 43200',
                '--propagation-timeout: got "3601"; expected an integer from 0 to 3600',
            ],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs(["--duration-seconds", "1e3", ...single], env)),
            ['--duration-seconds: got "1e3"; expected an integer from 900 to 43200'],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs([...single, "--duration-seconds", "43201"], env)),
            ['--duration-seconds: got "43201"; expected an integer from 900 to 43200'],
        );
        assert.strictEqual(
            parseArgs([...single, "--duration-seconds", "43200"], env).durationSeconds,
            43200,
        );
        assert.strictEqual(
            parseArgs([...single, "--propagation-timeout", "3600"], env).propagationTimeoutMs,
            3_600_000,
        );
    });

    it("says which required flag is missing, and a flag without its value", () => {
        assert.deepStrictEqual(
            usageErrors(() => parseArgs([], env)),
            ["--bucket: is required (or give --targets)", "--role-arn: is required"],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs(["--bucket", "--role-arn", role], env)),
            ["--bucket: needs a value (--bucket=VALUE for a value starting with -)"],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs([...single, "--region="], env)),
            ["--region: needs a value (--region=VALUE for a value starting with -)"],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs([...single, "--region"], env)),
            ["--region: needs a value (--region=VALUE for a value starting with -)"],
        );
    });

    it("needs a region, and says where it looked", () => {
        assert.deepStrictEqual(
            usageErrors(() => parseArgs(single, {})),
            ["--region: is required (no --region, AWS_REGION or AWS_DEFAULT_REGION)"],
        );
    });

    describe("with an AWS config file", () => {
        // Made in before(), not when the file loads: a filtered run (--grep) skips after() too.
        let dir = "";
        let config = "";
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-verify-args-"));
            config = path.join(dir, "config");
            fs.writeFileSync(
                config,
                [
                    "# comment",
                    "[default]",
                    "region = us-east-2",
                    "[profile svc]",
                    "; comment",
                    "",
                    "region=eu-central-1",
                    "[  profile   spaced  ]",
                    "region = ap-east-1",
                    "[profile bad]",
                    "region = Moon",
                    "[profile none]",
                    "output = json",
                ].join("\r\n"),
            );
        });
        const withConfig = () => ({ AWS_CONFIG_FILE: config });

        it("reads the region of --profile, of [default], and none for a missing file", () => {
            assert.strictEqual(profileRegion("svc", withConfig()), "eu-central-1");
            assert.strictEqual(profileRegion("spaced", withConfig()), "ap-east-1");
            assert.strictEqual(profileRegion("default", withConfig()), "us-east-2");
            assert.strictEqual(profileRegion("none", withConfig()), undefined);
            assert.strictEqual(
                profileRegion("svc", { AWS_CONFIG_FILE: path.join(dir, "absent") }),
                undefined,
            );
            assert.strictEqual(awsConfigPath({ HOME: "/home/x" }), "/home/x/.aws/config");
            assert.strictEqual(awsConfigPath({ AWS_CONFIG_FILE: config, HOME: "/home/x" }), config);
            assert.strictEqual(
                parseArgs([...single, "--profile", "svc"], withConfig()).region,
                "eu-central-1",
            );
        });

        it("refuses a bad region in the profile, and says where it looked for none", () => {
            assert.deepStrictEqual(
                usageErrors(() => parseArgs([...single, "--profile", "bad"], withConfig())),
                [
                    `--profile: profile bad has region "Moon" in ${config}; expected a region such as us-east-1`,
                    `--region: is required (no --region, AWS_REGION or AWS_DEFAULT_REGION, no region for profile bad in ${config})`,
                ],
            );
            assert.deepStrictEqual(
                usageErrors(() => parseArgs([...single, "--profile", "none"], withConfig())),
                [
                    `--region: is required (no --region, AWS_REGION or AWS_DEFAULT_REGION, no region for profile none in ${config})`,
                ],
            );
            // A bad --region is reported once, without a second "is required".
            assert.deepStrictEqual(
                usageErrors(() => parseArgs([...single, "--region", "x"], withConfig())),
                ['--region: got "x"; expected a region such as us-east-1'],
            );
        });
    });

    it("asks the instance metadata for the region only when nothing else gives one", async () => {
        const asked: string[] = [];
        const lookup = async () => {
            asked.push("imds");
            return "sa-east-1";
        };
        const options = await resolveArgs(single, {}, undefined, lookup);
        assert.strictEqual(options.region, "sa-east-1");
        assert.strictEqual((await resolveArgs(single, env, undefined, lookup)).region, "eu-west-1");
        assert.deepStrictEqual(asked, ["imds"]);
        await assert.rejects(
            resolveArgs(single, {}, undefined, async () => undefined),
            {
                message:
                    "--region: is required (no --region, AWS_REGION or AWS_DEFAULT_REGION, and no EC2 instance metadata service answered with a region)",
            },
        );
        await assert.rejects(resolveArgs([...single, "--region", "x"], {}, undefined, lookup), {
            message: '--region: got "x"; expected a region such as us-east-1',
        });
        assert.deepStrictEqual(asked, ["imds"]);
    });
});

describe("verify plan (--targets)", () => {
    const plan = [
        { name: "service-a", roleArn: role, bucket: "bucket-a" },
        {
            name: "service-b",
            roleArn: "arn:aws-cn:iam::123456789012:role/path/b",
            bucket: "bucket-b",
            externalId: "ext-1",
            objectActions: ["s3:GetObject", "s3:GetObject", "s3:PutObjectTagging"],
            profile: "service-b",
        },
    ];

    it("reads a plan from a file or stdin, with per-service sessions", () => {
        const read: string[] = [];
        const options = parseArgs(["--targets", "-", "--session-name", "s-1"], env, (source) => {
            read.push(source);
            return JSON.stringify(plan);
        });
        assert.deepStrictEqual(read, ["-"]);
        assert.strictEqual(options.perServiceSessions, true);
        assert.deepStrictEqual(options.targets, [
            plan[0],
            { ...plan[1], objectActions: ["s3:GetObject", "s3:PutObjectTagging"] },
        ]);
    });

    it("refuses to mix --targets with the single-target flags, and names what it could not read", () => {
        for (const flag of ["--bucket", "--role-arn", "--external-id", "--profile"]) {
            assert.deepStrictEqual(
                usageErrors(() =>
                    parseArgs(["--targets", "-", flag, "x-1"], env, () => "[]"),
                ).slice(0, 1),
                [
                    `--targets: cannot be combined with ${flag}; put roleArn, bucket, externalId and profile in each plan entry`,
                ],
            );
        }
        const unreadable = () => {
            throw new Error("ENOENT: no such file");
        };
        assert.deepStrictEqual(
            usageErrors(() => parseArgs(["--targets", "/no/plan.json"], env, unreadable)),
            ['--targets: cannot read "/no/plan.json": ENOENT: no such file'],
        );
        assert.deepStrictEqual(
            usageErrors(() => parseArgs(["--targets", "-"], env, unreadable)),
            ["--targets: cannot read stdin: ENOENT: no such file"],
        );
        const [notJson] = usageErrors(() => parseArgs(["--targets", "-"], env, () => "{nope"));
        assert.match(
            notJson,
            /^--targets: is not JSON \(.+\); expected a JSON array of \{ name, roleArn, bucket, externalId\?, objectActions\?, profile\?, agent\? \}$/,
        );
    });

    it("reports every bad entry at once, with its path", () => {
        assert.deepStrictEqual(
            usageErrors(() =>
                validatePlan([
                    "text",
                    { name: "Bad Name", roleArn: role, bucket: "bucket-a", extra: 1 },
                    { name: "service-a", roleArn: "x", bucket: "b" },
                    { name: "service-a", roleArn: role, bucket: "bucket-a", objectActions: [] },
                    {
                        name: "service-c",
                        roleArn: role,
                        bucket: "bucket-c",
                        objectActions: ["s3:*"],
                        profile: 7,
                    },
                    {
                        name: "service-a",
                        roleArn: role,
                        bucket: "bucket-a",
                        objectActions: "s3:GetObject",
                    },
                    null,
                    [],
                ]),
            ),
            [
                '--targets[0]: got "text"; expected an object with name, roleArn, bucket',
                "--targets[1].extra: unknown key; accepted: name, roleArn, bucket, externalId, objectActions, profile, agent",
                '--targets[1].name: got "Bad Name"; expected 1 to 32 of lowercase letters, digits and -',
                '--targets[2].roleArn: got "x"; expected an IAM role ARN such as arn:aws:iam::123456789012:role/service-c (no wildcards)',
                '--targets[2].bucket: got "b"; expected an existing S3 bucket name: 3 to 63 lowercase letters, digits and hyphens',
                '--targets[3].name: got "service-a"; expected a name no other target uses (--targets[2] has it)',
                "--targets[3].objectActions: got []; expected a non-empty list drawn from s3:GetObject, s3:PutObject, s3:DeleteObject, s3:GetObjectTagging, s3:PutObjectTagging, s3:AbortMultipartUpload, s3:ListMultipartUploadParts",
                '--targets[4].objectActions[0]: got "s3:*"; expected one of s3:GetObject, s3:PutObject, s3:DeleteObject, s3:GetObjectTagging, s3:PutObjectTagging, s3:AbortMultipartUpload, s3:ListMultipartUploadParts',
                "--targets[4].profile: got 7; expected 1 to 64 characters of letters, digits and _.-",
                '--targets[5].name: got "service-a"; expected a name no other target uses (--targets[2] has it)',
                '--targets[5].objectActions: got "s3:GetObject"; expected a non-empty list drawn from s3:GetObject, s3:PutObject, s3:DeleteObject, s3:GetObjectTagging, s3:PutObjectTagging, s3:AbortMultipartUpload, s3:ListMultipartUploadParts',
                "--targets[6]: got null; expected an object with name, roleArn, bucket",
                "--targets[7]: got []; expected an object with name, roleArn, bucket",
            ],
        );
    });

    it("refuses a plan that is not a non-empty array, clipping a long value", () => {
        const expected =
            "expected a non-empty JSON array of { name, roleArn, bucket, externalId?, objectActions?, profile?, agent? }";
        assert.deepStrictEqual(
            usageErrors(() => validatePlan([], "--plan")),
            [`--plan: got []; ${expected}`],
        );
        assert.deepStrictEqual(
            usageErrors(() => validatePlan(undefined)),
            [`--targets: got nothing; ${expected}`],
        );
        const long = "x".repeat(100);
        assert.deepStrictEqual(
            usageErrors(() => validatePlan(long)),
            [`--targets: got "${"x".repeat(76)}...; ${expected}`],
        );
        assert.deepStrictEqual(
            usageErrors(() => validatePlan("x".repeat(78))),
            [`--targets: got "${"x".repeat(78)}"; ${expected}`],
        );
        assert.deepStrictEqual(
            usageErrors(() => validatePlan([{ roleArn: role, bucket: "bucket-a" }])),
            ["--targets[0].name: got nothing; expected 1 to 32 of lowercase letters, digits and -"],
        );
    });

    it("declares get, put and delete unless the entry lists its actions", () => {
        const target = { name: "service-a", roleArn: role, bucket: "bucket-a" };
        assert.deepStrictEqual(declaredActions(target), [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
        ]);
        assert.deepStrictEqual(declaredActions({ ...target, objectActions: ["s3:GetObject"] }), [
            "s3:GetObject",
        ]);
    });
});

describe("shared flag checks", () => {
    it("numbers, poll intervals, instance ids and regions, each with its message", () => {
        const problems = new UsageCollector();
        assert.strictEqual(numberFlag(problems, "--n", undefined, 7, 1, 9), 7);
        assert.strictEqual(numberFlag(problems, "--n", "9", 7, 1, 9), 9);
        assert.strictEqual(numberFlag(problems, "--n", "0", 7, 1, 9), undefined);
        assert.strictEqual(numberFlag(problems, "--n", "1.5", 7, 1, 9), undefined);
        assert.strictEqual(pollIntervalFlag(problems, "0.5", 2), 0.5);
        assert.strictEqual(pollIntervalFlag(problems, undefined, 2), 2);
        assert.strictEqual(pollIntervalFlag(problems, "61", 2), undefined);
        assert.strictEqual(pollIntervalFlag(problems, "0.001", 2), undefined);
        assert.strictEqual(instanceIdFlag(problems, "i-0123456789abcdef0"), "i-0123456789abcdef0");
        assert.strictEqual(instanceIdFlag(problems, "i-01234567"), "i-01234567");
        assert.strictEqual(
            instanceIdFlag(problems, "mi-0123456789abcdef0"),
            "mi-0123456789abcdef0",
        );
        instanceIdFlag(problems, "i-123");
        instanceIdFlag(problems, undefined);
        assert.strictEqual(regionFlag(problems, "eu-west-1"), "eu-west-1");
        regionFlag(problems, "Europe");
        regionFlag(problems, undefined);
        assert.deepStrictEqual(
            problems.errors.map((e) => e.message),
            [
                '--n: got "0"; expected an integer from 1 to 9',
                '--n: got "1.5"; expected an integer from 1 to 9',
                '--poll-interval: got "61"; expected a number from 0.01 to 60',
                '--poll-interval: got "0.001"; expected a number from 0.01 to 60',
                '--instance-id: got "i-123"; expected an instance id such as i-0123456789abcdef0',
                "--instance-id: is required",
                '--region: got "Europe"; expected a region such as us-east-1',
                "--region: is required",
            ],
        );
    });

    it("collects usage errors: one is thrown as is, several at once, anything else passes through", () => {
        const one = new UsageCollector();
        one.throwIfAny();
        one.add("--a", "bad");
        assert.throws(
            () => one.throwIfAny(),
            (e: unknown) =>
                e instanceof UsageError &&
                !(e instanceof UsageErrors) &&
                e.message === "--a: bad" &&
                e.name === "UsageError",
        );
        const many = new UsageCollector();
        assert.strictEqual(
            many.attempt(() => 5),
            5,
        );
        many.attempt(() => {
            throw new UsageErrors([new UsageError("--b", "x"), new UsageError("--c", "y")]);
        });
        many.attempt(() => {
            throw new UsageError("--d", "z");
        });
        assert.throws(
            () =>
                many.attempt(() => {
                    throw new TypeError("not a usage error");
                }),
            TypeError,
        );
        assert.throws(
            () => many.throwIfAny(),
            (e: unknown) =>
                e instanceof UsageErrors &&
                e.flag === "--b" &&
                e.name === "UsageErrors" &&
                e.message === "--b: x\n--c: y\n--d: z",
        );
    });
});
