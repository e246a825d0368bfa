// N services on one host inside moto, for the bench's N = 1, 3, 10 runs. matrixScenario.ts holds
// exactly the walkthrough's three services; this builds any count the same way (the host from
// scenario.ts's createHost, each service's trust, access policy and bucket from the component's
// policy builders; the trust names the host session ARN for the reason given in scenario.ts).
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

import { hostAssumePolicy, serviceAccessPolicy, serviceTrustPolicy } from "../components/policies";
import { defaultObjectActions } from "../components/validation";
import type { VerifyTarget } from "../contract/plan";
import { accountId, Moto, region, StaticCredentials } from "../lab/moto";
import { createHost, nextScenarioId } from "../lab/scenario";

export interface Fleet {
    hostRoleName: string;
    hostCredentials: StaticCredentials;
    /** The verify plan: one target per service, default object actions. */
    plan: VerifyTarget[];
}

export async function createFleet(moto: Moto, count: number): Promise<Fleet> {
    const id = nextScenarioId();
    const clientConfig = { endpoint: moto.endpoint, region, credentials: moto.admin };
    const iam = new IAMClient(clientConfig);
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const host = await createHost(moto, id);
    const plan: VerifyTarget[] = Array.from({ length: count }, (_, i) => {
        const name = `service-${i + 1}`;
        return {
            name,
            roleArn: `arn:aws:iam::${accountId}:role/${name}-${id}`,
            bucket: `rolepair-bench-${name}-${id}`,
        };
    });
    for (const target of plan) {
        const roleName = target.roleArn.split("/").pop()!;
        await s3.send(new CreateBucketCommand({ Bucket: target.bucket }));
        await iam.send(
            new CreateRoleCommand({
                RoleName: roleName,
                AssumeRolePolicyDocument: JSON.stringify(
                    serviceTrustPolicy({
                        trustMode: "role",
                        hostRoleArn: host.hostSessionArn,
                        accountRootArn: `arn:aws:iam::${accountId}:root`,
                    }),
                ),
            }),
        );
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: roleName,
                PolicyName: "access",
                PolicyDocument: JSON.stringify(
                    serviceAccessPolicy(`arn:aws:s3:::${target.bucket}`, defaultObjectActions),
                ),
            }),
        );
    }
    await iam.send(
        new PutRolePolicyCommand({
            RoleName: host.hostRoleName,
            PolicyName: "assume-services",
            PolicyDocument: JSON.stringify(hostAssumePolicy(plan.map((t) => t.roleArn))),
        }),
    );
    return { hostRoleName: host.hostRoleName, hostCredentials: host.hostCredentials, plan };
}
