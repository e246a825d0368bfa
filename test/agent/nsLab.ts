// Run inside the agent test's network namespace (`ip netns exec`): moto on the namespace's
// 127.0.0.1, the host role and one role and bucket per service in it, and the IMDSv2 double on
// 169.254.169.254:80 serving the host role's session. Prints one JSON line, then serves until its
// stdin closes.
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand } from "@aws-sdk/client-s3";

import { startImds } from "../../lab/imds";
import { accountId, adminS3Client, region, startMoto } from "../../lab/moto";
import { createHost } from "../../lab/scenario";

export interface NsLab {
    motoEndpoint: string;
    hostSessionArn: string;
    services: { name: string; roleArn: string; bucket: string }[];
    secrets: string[];
}

async function main(): Promise<void> {
    const names = process.argv.slice(2);
    const moto = await startMoto();
    const host = await createHost(moto, `agent${process.pid}`);
    const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    const s3 = adminS3Client(moto);
    const services: NsLab["services"] = [];
    for (const name of names) {
        const roleName = `agent-${name}`;
        const bucket = `rolepair-agent-${name}`;
        const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        // moto compares trust principals literally with the caller: the host's session ARN.
        const trust = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: host.hostSessionArn },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": `ext-${name}` } },
                },
            ],
        };
        await iam.send(
            new CreateRoleCommand({
                RoleName: roleName,
                AssumeRolePolicyDocument: JSON.stringify(trust),
            }),
        );
        const access = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["s3:ListBucket", "s3:GetObject"],
                    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                },
            ],
        };
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: roleName,
                PolicyName: "bucket",
                PolicyDocument: JSON.stringify(access),
            }),
        );
        services.push({ name, roleArn, bucket });
    }
    const assume = {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: services.map((s) => s.roleArn) },
        ],
    };
    await iam.send(
        new PutRolePolicyCommand({
            RoleName: host.hostRoleName,
            PolicyName: "assume-services",
            PolicyDocument: JSON.stringify(assume),
        }),
    );
    const imds = await startImds(host.hostRoleName, host.hostCredentials, region, {
        host: "169.254.169.254",
        port: 80,
    });
    const lab: NsLab = {
        motoEndpoint: moto.endpoint,
        hostSessionArn: host.hostSessionArn,
        services,
        secrets: [moto.admin.secretAccessKey, ...host.secrets],
    };
    process.stdout.write(`${JSON.stringify(lab)}\n`);
    process.stdin.resume();
    process.stdin.on("end", () => {
        void Promise.all([imds.stop(), moto.stop()]).then(() => process.exit(0));
    });
}

main().catch((error) => {
    process.stderr.write(`nsLab: ${(error as Error).stack}\n`);
    process.exit(1);
});
