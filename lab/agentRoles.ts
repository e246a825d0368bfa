// The services behind the credential agent's tests and bench: per service a role trusting the
// host's session (with ExternalId ext-<name>), allowed to list and read its own bucket, which holds
// one object hello-<name>; and the host role allowed to assume them all.
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";

import { accountId, adminS3Client, Moto, region } from "./moto";
import type { Host } from "./scenario";

export interface AgentService {
    name: string;
    roleArn: string;
    externalId: string;
    bucket: string;
}

export async function createServiceRoles(
    moto: Moto,
    host: Host,
    names: readonly string[],
): Promise<AgentService[]> {
    const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    const s3 = adminS3Client(moto);
    const services: AgentService[] = [];
    for (const name of names) {
        const roleName = `agent-${name}`;
        const bucket = `rolepair-agent-${name}`;
        const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `hello-${name}`, Body: name }));
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
        services.push({ name, roleArn, externalId: `ext-${name}`, bucket });
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
    return services;
}
