// The floor: the fewest requests that still prove the claim, with nothing else. As the host: one
// ListObjectsV2 (must be denied). Then AssumeRole, and put → list → get → delete as the target.
// Six round trips. Bundled like verify, so both pay the same start-up cost.
import {
    DeleteObjectCommand,
    GetObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

async function main(): Promise<number> {
    const [bucket, roleArn] = process.argv.slice(2);
    const region = process.env.AWS_REGION ?? "us-east-1";
    const endpoint = process.env.AWS_ENDPOINT_URL;
    const base = { region, endpoint, forcePathStyle: true };
    try {
        await new S3Client(base).send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
        return 1;
    } catch (error) {
        if ((error as Error).name !== "AccessDenied") throw error;
    }
    const { Credentials: c } = await new STSClient(base).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "floor" }),
    );
    const s3 = new S3Client({
        ...base,
        credentials: {
            accessKeyId: c!.AccessKeyId!,
            secretAccessKey: c!.SecretAccessKey!,
            sessionToken: c!.SessionToken!,
        },
    });
    const key = `floor/${Date.now()}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "floor" }));
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToString();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return 0;
}

main().then(
    (code) => (process.exitCode = code),
    () => (process.exitCode = 1),
);
