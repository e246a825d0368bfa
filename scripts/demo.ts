// npm run demo — "try it without an AWS account": the walkthrough's scenario on the moto emulator.
// Three services (service-a, -b, -c) each with its own role and bucket, one shared host whose role
// may only assume them. The host gets one AWS config profile per service, as the component's user
// data writes it, and verify proves the whole matrix on it. Then everything is stopped and the
// temporary files removed, also on Ctrl-C or SIGTERM. Exits with verify's exit code.
import "../lab/quietSdk";

import { spawnSync } from "child_process";
import * as path from "path";

import { renderProfilesConfig } from "../contract/profileParameters";
import { fullCommand, shortCommand } from "./demoCommand";
import { demoUsage, parseDemoFlags, type DemoFlags } from "./demoFlags";
import { reportUsageError } from "../verify/cli/commandLine";
import { createMatrixScenario } from "../lab/matrixScenario";
import { Imds, startImds } from "../lab/imds";
import { accountId, Moto, region, startMoto } from "../lab/moto";
import { bundlePath, hostEnv, removeHostHomes, runVerify } from "../lab/verifyProcess";

const root = path.join(__dirname, "..");

/** The flags, or the process ends: --help (usage on stdout, exit 0) or a usage error (exit 2). */
function readFlags(): DemoFlags {
    let parsed: DemoFlags;
    try {
        parsed = parseDemoFlags(process.argv.slice(2));
    } catch (error) {
        process.exit(reportUsageError("demo", demoUsage, error));
    }
    if (parsed.help) {
        process.stdout.write(`${demoUsage}\n`);
        process.exit(0);
    }
    return parsed;
}
const flags = readFlags();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { minimumNode, isTooOld } = require("./minimumNode.cjs") as {
    minimumNode(): number;
    isTooOld(version: string): boolean;
};

/**
 * Before anything starts: verify runs as a bundle that refuses an older Node, so on one the demo
 * would set up and start the emulator only to fail inside the proof. Exit 3, `prove`'s "could not
 * run". The set-up line that brings a supported Node changes only the shell it is sourced in, so a
 * new shell on an old machine Node is the usual way to get here: the message says so.
 */
function requireSupportedNode(): void {
    if (!isTooOld(process.versions.node)) return;
    process.stderr.write(
        `demo: needs Node.js ${minimumNode()} or newer; this shell's is ${process.version}.\n` +
            "Run `. scripts/node-runtime.sh` first, in this shell (from bash): it brings Node 24 into .tools/.\n",
    );
    process.exit(3);
}
requireSupportedNode();

/**
 * What the demo runs on, set up once its flags are read, so that --help and a usage error answer
 * at once: moto in the project's .venv (installed the first time), then the build (verify runs
 * from its bundle). A step that fails ends the demo with its exit code; it has said why.
 */
function prepare(): void {
    const steps: [string, string[]][] = [
        ["bash", ["scripts/setup-test-tools.sh", "moto"]],
        ["npm", ["run", "build"]],
    ];
    for (const [command, args] of steps) {
        const step = spawnSync(command, args, { cwd: root, stdio: "inherit" });
        if (step.status !== 0) process.exit(step.status ?? 1);
    }
}
prepare();
/** `npm run demo -- --full-command`: print the whole command line, not the short form. */
const showFullCommand = flags.fullCommand;

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
    const scenario = await createMatrixScenario(moto, flags.brokenGrant ? "b-lists-a" : "correct");
    running.imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);

    const awsConfig = renderProfilesConfig(
        scenario.services.map((s) => ({ name: s.name, roleArn: s.roleArn, region })),
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
            ...(flags.brokenGrant
                ? [
                      "",
                      "--broken-grant: service-b's role also holds service-a's access policy, so the",
                      "proof must FAIL, naming the isolation row (service-b reaching service-a's bucket).",
                  ]
                : []),
            "",
            `The host's AWS config file (${env.AWS_CONFIG_FILE}):`,
            awsConfig.trimEnd(),
            "",
            showFullCommand
                ? "The command that runs (the emulator's environment; no keys: credentials come from the IMDS double):"
                : "The command that runs on the host, with the plan (one entry per service above) on stdin:",
            "",
        ].join("\n"),
    );
    const shown = { bundle: path.relative(root, bundlePath), args, plan, env };
    const command = showFullCommand ? fullCommand(shown) : shortCommand(shown);
    const leaked = scenario.secrets.filter((secret) => command.includes(secret));
    if (leaked.length > 0) throw new Error("refusing to print a command line with a secret in it");
    process.stdout.write(`$ ${command}\n`);
    if (!showFullCommand) {
        process.stdout.write(
            "(npm run demo -- --full-command prints the whole line: the plan and the emulator's environment)\n",
        );
    }
    process.stdout.write("\n");

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
