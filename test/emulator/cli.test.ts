// The verify CLI's flag handling as a process, against moto: --flag=value for values that start
// with -, every usage error at once, defaults in --help, the region from --profile's config or
// from IMDS, and role chaining (the fixtures' host identity is an assumed-role session, as on EC2).
import * as assert from "assert";

import type { ProofReport } from "../../contract/report";
import { Imds, ImdsDoubles } from "../../lab/imds";
import { Moto, region, startMoto } from "../../lab/moto";
import { createScenario, Scenario } from "../../lab/scenario";
import { hostEnv, ProcessResult, removeHostHomes, runVerify } from "../../lab/verifyProcess";

describe("verify CLI flags", function () {
    let moto: Moto;
    let scenario: Scenario;
    const imdsDoubles = new ImdsDoubles();

    before(async () => {
        moto = await startMoto();
        scenario = await createScenario(moto, "correct", "--ext-2026");
    });
    after(async () => {
        await imdsDoubles.stopAll();
        await moto?.stop();
        removeHostHomes();
    });

    /** Runs verify on the "host"; `imdsRegion` is what IMDS answers for the placement region. */
    async function onHost(
        args: string[],
        options: { awsConfig?: string; withoutRegion?: boolean; imdsRegion?: string } = {},
    ): Promise<ProcessResult & { report?: ProofReport; imds: Imds }> {
        const imds = await imdsDoubles.start(scenario, options.imdsRegion);
        const env = hostEnv({
            imdsEndpoint: imds.endpoint,
            awsEndpoint: moto.endpoint,
            region,
            awsConfig: options.awsConfig,
        });
        if (options.withoutRegion) delete env.AWS_REGION;
        const result = await runVerify(args, env);
        assert.strictEqual(imds.v1Refused, 0, "verify must use IMDSv2 tokens only");
        const report =
            args.includes("--json") && result.code !== 2 && result.stdout
                ? (JSON.parse(result.stdout) as ProofReport)
                : undefined;
        return { ...result, report, imds };
    }

    const target = () => [`--bucket=${scenario.bucket}`, `--role-arn=${scenario.targetRoleArn}`];

    it("accepts --flag=value with values starting with - (--external-id=--ext-2026, --profile=-p)", async () => {
        const config = `[profile -p]\nrole_arn = ${scenario.targetRoleArn}\ncredential_source = Ec2InstanceMetadata\nexternal_id = --ext-2026\nregion = ${region}\n`;
        const r = await onHost(
            [
                ...target(),
                "--external-id=--ext-2026",
                "--profile=-p",
                "--propagation-timeout=1",
                "--json",
            ],
            { awsConfig: config },
        );
        assert.strictEqual(r.code, 0, r.stderr);
        const steps = r.report!.services[0].steps.map((s) => [s.name, s.ok]);
        assert.deepStrictEqual(steps.slice(-2), [
            ["profile-identity", true],
            ["profile-round-trip", true],
        ]);
    });

    it("keeps --flag value exactly as before: a value starting with -- still needs the = form", async () => {
        const r = await onHost([...target(), "--external-id", "--ext-2026", "--json"]);
        assert.strictEqual(r.code, 2);
        assert.match(
            r.stderr,
            /^verify: --external-id: needs a value \(--external-id=VALUE for a value starting with -\)$/m,
        );
        assert.strictEqual(r.stdout, "");
    });

    it("reports every usage error at once, one line each, exit 2", async () => {
        const r = await onHost([
            "--bucket",
            "Bad_Bucket",
            "--role-arn=nope",
            "--duration-seconds",
            "60",
            "--session-name=x",
            "--frobnicate",
            "--json=yes",
            "--concurrency=0",
        ]);
        assert.strictEqual(r.code, 2);
        const errors = r.stderr.split("\n").filter((line) => line.startsWith("verify: "));
        assert.deepStrictEqual(errors.map((line) => line.split(":")[1].trim()).sort(), [
            "--bucket",
            "--concurrency",
            "--duration-seconds",
            "--frobnicate",
            "--json",
            "--role-arn",
            "--session-name",
        ]);
        assert.strictEqual(r.stdout, "");
    });

    it("reports every bad entry of a plan at once", async () => {
        const plan = JSON.stringify([
            { name: "Bad_Name", roleArn: scenario.targetRoleArn, bucket: scenario.bucket },
            { name: "b", roleArn: "nope", bucket: "x", colour: "red" },
        ]);
        const env = { PATH: process.env.PATH, AWS_REGION: region, NODE_NO_WARNINGS: "1" };
        const r = await runVerify(["--targets", "-"], env, plan);
        assert.strictEqual(r.code, 2);
        for (const path of [
            "--targets[0].name",
            "--targets[1].colour",
            "--targets[1].roleArn",
            "--targets[1].bucket",
        ])
            assert.ok(r.stderr.includes(`verify: ${path}: `), `${path} missing in\n${r.stderr}`);
    });

    it("--help shows every flag with its default (or that it is required)", async () => {
        const r = await runVerify(["--help"], { PATH: process.env.PATH });
        assert.strictEqual(r.code, 0);
        const flags = [
            "--bucket",
            "--role-arn",
            "--external-id",
            "--profile",
            "--targets",
            "--region",
            "--session-name",
            "--duration-seconds",
            "--propagation-timeout",
            "--concurrency",
            "--json",
        ];
        for (const flag of flags) {
            // The flag's entry: its line and the indented lines that continue it.
            const entry = new RegExp(`^ {2}${flag}\\b.*(\\n {6,}.*)*`, "m").exec(r.stdout)?.[0];
            assert.ok(entry, `${flag} has no entry in --help`);
            assert.match(entry, /default|required/, `${flag}: no default in --help`);
        }
        assert.match(r.stdout, /--duration-seconds N +900 to 43200 \(default 900\)/);
        assert.match(r.stdout, /\(default 120\)/);
        assert.match(
            r.stdout,
            /--concurrency N +AWS requests in flight at once.*1 to\n +256 \(default 64\)/,
        );
        assert.match(r.stdout, /--flag=value/);
    });

    it("takes the region from --profile's entry in the AWS config file when none is given", async () => {
        const config = `[profile svc]\nrole_arn = ${scenario.targetRoleArn}\ncredential_source = Ec2InstanceMetadata\nregion = ${region}\n`;
        const r = await onHost([...target(), "--profile", "svc", "--json"], {
            awsConfig: config,
            withoutRegion: true,
        });
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.imds.regionRequests, 0, "the profile's region needs no IMDS lookup");
    });

    it("takes the instance's region from IMDSv2 (with a token) when nothing else gives one", async () => {
        const r = await onHost([...target(), "--json"], {
            withoutRegion: true,
            imdsRegion: region,
        });
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.imds.regionRequests, 1);
    });

    it("says where it looked when no region can be known (exit 2)", async () => {
        const r = await onHost([...target(), "--profile", "svc", "--json"], {
            awsConfig: "[profile svc]\ncredential_source = Ec2InstanceMetadata\n",
            withoutRegion: true,
        });
        assert.strictEqual(r.code, 2);
        assert.match(
            r.stderr,
            /--region: is required \(no --region, AWS_REGION or AWS_DEFAULT_REGION, no region for profile svc in \S+, and no EC2 instance metadata service answered with a region\)/,
        );
    });

    it("refuses --duration-seconds over 3600 from an assumed-role session: role chaining (exit 2)", async () => {
        assert.match(scenario.hostSessionArn, /:assumed-role\//);
        const r = await onHost([...target(), "--duration-seconds", "7200", "--json"]);
        assert.strictEqual(r.code, 2, r.stderr);
        assert.match(
            r.stderr,
            /^verify: --duration-seconds: got 7200; this machine's own identity arn:aws:sts::\d+:assumed-role\/\S+ is an assumed-role session .* role chaining, which AWS caps at 3600 s \(1 hour\)/m,
        );
        assert.strictEqual(r.stdout, "", "no report on a usage error");
    });

    it("accepts --duration-seconds=3600 from an assumed-role session", async () => {
        const r = await onHost([...target(), "--duration-seconds=3600", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.report!.ok, true);
    });
});
