// npm run demo — "try it without an AWS account": the walkthrough's scenario on the moto emulator.
// Three services (service-a, -b, -c) each with its own role and bucket, one shared host whose role
// may only assume them. The host gets one AWS config profile per service, as the component's user
// data writes it, and verify proves the whole matrix on it. Then everything is stopped and the
// temporary files removed, also on Ctrl-C or SIGTERM. Exits with verify's exit code.
import "../test/support/quietSdk";

import * as path from "path";

import { awsConfigFile } from "../components/userData";
import { createMatrixScenario } from "../test/support/matrixScenario";
import { Imds, startImds } from "../test/support/imds";
import { accountId, Moto, region, startMoto } from "../test/support/moto";
import { bundlePath, hostEnv, removeHostHomes, runVerify } from "../test/support/verifyProcess";

const root = path.join(__dirname, "..");

/** A word as the shell reads it back unchanged: bare when safe, otherwise single-quoted. */
function shellWord(word: string): string {
    return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// What is running, so a signal can stop it; one stop, however many ask for it.
const running: { moto?: Moto; imds?: Imds } = {};
let stopping: Promise<void> | undefined;
let signalled: number | undefined;

function stopAll(): Promise<void> {
    stopping ??= (async () => {
        await running.imds?.stop();
        await running.moto?.stop();
        removeHostHomes();
        process.stdout.write("\nEmulator and IMDS double stopped, temporary files removed.\n");
    })();
    return stopping;
}

for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
] as const) {
    process.once(signal, () => {
        signalled = code;
        process.stderr.write(`\n${signal}: stopping…\n`);
        void stopAll().finally(() => process.exit(code));
    });
}

async function main(): Promise<number> {
    process.stdout.write("Starting the AWS emulator (moto, IAM enforcement on)…\n");
    running.moto = await startMoto();
    const moto = running.moto;
    const scenario = await createMatrixScenario(moto, "correct");
    running.imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);

    const awsConfig = awsConfigFile(
        scenario.services.map((s) => ({ profileName: s.name, targetRoleArn: s.roleArn, region })),
    );
    const env = hostEnv({
        imdsEndpoint: running.imds.endpoint,
        awsEndpoint: moto.endpoint,
        region,
        awsConfig,
    });
    const plan = JSON.stringify(scenario.plan((s) => ({ profile: s.name })));
    const args = ["--targets", "-", "--session-name", "demo"];

    const width = Math.max(...scenario.services.map((s) => s.name.length));
    process.stdout.write(
        [
            "",
            `Host role:  arn:aws:iam::${accountId}:role/${scenario.hostRoleName}`,
            `            (on the instance: ${scenario.hostSessionArn})`,
            ...scenario.services.map(
                (s) =>
                    `${s.name.padEnd(width)}  role ${s.roleArn}\n${" ".repeat(width)}  bucket s3://${s.bucket}  profile ${s.name}`,
            ),
            "",
            "The walkthrough, automated for every service: as the host role each bucket must be denied;",
            "each service's role, assumed by the host, reaches its own bucket (and through its profile)",
            "and is denied the others'.",
            "",
            `The host's AWS config file (${env.AWS_CONFIG_FILE}):`,
            awsConfig.trimEnd(),
            "",
            "The command that runs (the emulator's environment; no keys: credentials come from the IMDS double):",
            "",
        ].join("\n"),
    );
    // Exactly the environment and arguments runVerify is given; PATH is shown as the shell's.
    const assignments = Object.entries(env)
        .filter(([name, value]) => name !== "PATH" && value !== undefined)
        .map(([name, value]) => `${name}=${shellWord(value!)}`);
    const command = [
        `echo ${shellWord(plan)} |`,
        `env -i PATH="$PATH"`,
        ...assignments,
        "node",
        shellWord(path.relative(root, bundlePath)),
        ...args.map(shellWord),
    ].join(" ");
    const leaked = scenario.secrets.filter((secret) => command.includes(secret));
    if (leaked.length > 0) throw new Error("refusing to print a command line with a secret in it");
    process.stdout.write(`$ ${command}\n\n`);

    const result = await runVerify(args, env, plan);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code ?? 1;
}

main()
    .then(
        async (code) => {
            await stopAll();
            return code;
        },
        async (error: unknown) => {
            process.stderr.write(
                `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
            );
            await stopAll();
            return 1;
        },
    )
    .then((code) => process.exit(signalled ?? code));
