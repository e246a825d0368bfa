// "Try it without an AWS account": replays the seed's story on the moto emulator. The host role is
// denied the bucket; it assumes the target role; list/put/get succeed. Then everything is stopped.
import "../test/support/quietSdk";
import { startImds } from "../test/support/imds";
import { region, startMoto } from "../test/support/moto";
import { createScenario } from "../test/support/scenario";
import { hostEnv, runVerify } from "../test/support/verifyProcess";

async function main(): Promise<number> {
    process.stdout.write("Starting the AWS emulator (moto, IAM enforcement on)…\n");
    const moto = await startMoto();
    try {
        const scenario = await createScenario(moto, "correct");
        const imds = await startImds(scenario.hostRoleName, scenario.hostCredentials);
        try {
            process.stdout.write(
                [
                    "",
                    `Host role:   ${scenario.hostSessionArn}`,
                    `Target role: ${scenario.targetRoleArn}`,
                    `Bucket:      ${scenario.bucket}`,
                    "",
                    "The seed's walkthrough, automated: as the host role `aws s3 ls` must be denied;",
                    "after `aws sts assume-role`, ls/cp with the returned keys must succeed.",
                    "",
                    `$ node dist/verify.js --bucket ${scenario.bucket} --role-arn ${scenario.targetRoleArn}`,
                    "",
                ].join("\n"),
            );
            const result = await runVerify(
                [
                    "--bucket",
                    scenario.bucket,
                    "--role-arn",
                    scenario.targetRoleArn,
                    "--session-name",
                    "demo",
                ],
                hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region }),
            );
            process.stdout.write(result.stdout);
            process.stderr.write(result.stderr);
            return result.code ?? 1;
        } finally {
            await imds.stop();
        }
    } finally {
        await moto.stop();
        process.stdout.write("\nEmulator stopped; nothing is left running.\n");
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(
            `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
    },
);
