// The walkthrough by hand, as the bench times it: as the host `aws s3 ls` is denied; `aws sts
// assume-role`; then `aws s3 cp` and `aws s3 ls` with the returned keys.
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";

import { runProcess } from "../lab/verifyProcess";
import { aws } from "./settings";
import { timed } from "./stats";

export interface WalkthroughTarget {
    bucket: string;
    roleArn: string;
    /** A small local file to upload. */
    probeFile: string;
    /** The host's environment (IMDS double, endpoint, region). */
    env: NodeJS.ProcessEnv;
    /** Removes what the run uploaded, untimed. */
    adminS3: S3Client;
}

/** One run of the four commands; its wall time in ms. Throws when a step does not do as expected. */
export async function walkthroughByHand(t: WalkthroughTarget): Promise<number> {
    const run = async (args: string[], env: NodeJS.ProcessEnv, what: string) => {
        const result = await runProcess(aws, args, env);
        if (result.code !== 0) throw new Error(`aws ${what} failed: ${result.stderr}`);
        return result.stdout;
    };
    const { ms } = await timed(async () => {
        const denied = await runProcess(aws, ["s3", "ls", `s3://${t.bucket}`], t.env);
        if (denied.code === 0 || !denied.stderr.includes("AccessDenied"))
            throw new Error(`aws s3 ls as the host was not denied: ${denied.stderr}`);
        const assumed = await run(
            [
                "sts",
                "assume-role",
                "--role-arn",
                t.roleArn,
                "--role-session-name",
                "walkthrough",
                "--output",
                "json",
            ],
            t.env,
            "sts assume-role",
        );
        const c = JSON.parse(assumed).Credentials;
        const keys = {
            ...t.env,
            AWS_ACCESS_KEY_ID: c.AccessKeyId,
            AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
            AWS_SESSION_TOKEN: c.SessionToken,
        };
        await run(
            ["s3", "cp", t.probeFile, `s3://${t.bucket}/walkthrough/report.csv`],
            keys,
            "s3 cp",
        );
        await run(["s3", "ls", `s3://${t.bucket}`], keys, "s3 ls");
    });
    await t.adminS3.send(
        new DeleteObjectCommand({ Bucket: t.bucket, Key: "walkthrough/report.csv" }),
    );
    return ms;
}
