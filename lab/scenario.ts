// Builds the assume-role setup inside moto with the component's own policy builders, correct or
// broken in one named way, and the host's credentials as an instance profile would hand them out.
//
// Where moto differs from AWS (measured with moto 5.2.x, enforcement on), the fixture adapts:
// - moto compares trust principals literally with the caller's session ARN: a role ARN or the
//   account root never matches. So the target role's trust names the host *session* ARN
//   (assumed-role/<host role>/<instance id>), the principal AWS itself would resolve to the role.
//   What role-ARN and account-root trust really mean is asserted by the IAM simulator tests.
// - A trust statement whose only principal is a Service makes AssumeRole answer HTTP 500, and there
//   is no EC2 to assume the host role for us. So the host role's trust is ec2TrustPolicy() with the
//   admin user added to its principal; the admin assumes it once to mint the "instance profile"
//   credentials.
// - Credentials do not expire in moto; expiry is only reported, not exercised, here.
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

import {
    ec2TrustPolicy,
    hostAssumePolicy,
    serviceAccessPolicy,
    serviceTrustPolicy,
} from "../components/policies";
import { defaultObjectActions } from "../components/validation";
import { accountId, adminS3Client, Moto, region, StaticCredentials } from "./moto";

export type Variant =
    | "correct"
    | "host-reads-bucket"
    | "host-lacks-assume"
    | "target-untrusting"
    | "target-lacks-put"
    | "bucket-missing";

export interface Scenario {
    bucket: string;
    hostRoleName: string;
    hostSessionArn: string;
    /** What the instance profile would serve: the host role's session credentials. */
    hostCredentials: StaticCredentials;
    targetRoleName: string;
    targetRoleArn: string;
    /** Every secret this scenario created, for leak checks. */
    secrets: string[];
}

let sequence = 0;

/** A fresh id for names in one moto: unique across scenarios of this test process. */
export function nextScenarioId(): string {
    return `${process.pid}-${++sequence}`;
}

export interface Host {
    hostRoleName: string;
    hostSessionArn: string;
    instanceId: string;
    hostCredentials: StaticCredentials;
    /** The host session's secret key and token, for leak checks. */
    secrets: string[];
}

/**
 * The host role and the credentials its instance profile would serve. ec2TrustPolicy() gets the
 * admin added to its principal (one statement: moto answers 500 when any statement's principal is
 * a Service alone), and the admin assumes it once to mint the "instance profile" credentials.
 */
export async function createHost(moto: Moto, id: string): Promise<Host> {
    const clientConfig = { endpoint: moto.endpoint, region, credentials: moto.admin };
    const iam = new IAMClient(clientConfig);
    const sts = new STSClient(clientConfig);
    const hostRoleName = `host-${id}`;
    const hostTrust = ec2TrustPolicy();
    const ec2Statement = (
        hostTrust.Statement as unknown as { Principal: Record<string, string | string[]> }[]
    )[0];
    ec2Statement.Principal = { ...ec2Statement.Principal, AWS: moto.adminArn };
    const hostRole = await iam.send(
        new CreateRoleCommand({
            RoleName: hostRoleName,
            AssumeRolePolicyDocument: JSON.stringify(hostTrust),
        }),
    );
    const instanceId = `i-0${id.replace("-", "")}fixture`.slice(0, 19);
    const hostSession = await sts.send(
        new AssumeRoleCommand({
            RoleArn: hostRole.Role!.Arn,
            RoleSessionName: instanceId,
            DurationSeconds: 3600,
        }),
    );
    const c = hostSession.Credentials!;
    return {
        hostRoleName,
        hostSessionArn: hostSession.AssumedRoleUser!.Arn!,
        instanceId,
        hostCredentials: {
            accessKeyId: c.AccessKeyId!,
            secretAccessKey: c.SecretAccessKey!,
            sessionToken: c.SessionToken!,
        },
        secrets: [c.SecretAccessKey!, c.SessionToken!],
    };
}

export async function createScenario(
    moto: Moto,
    variant: Variant,
    externalId?: string,
): Promise<Scenario> {
    const id = nextScenarioId();
    const clientConfig = { endpoint: moto.endpoint, region, credentials: moto.admin };
    const iam = new IAMClient(clientConfig);
    const s3 = adminS3Client(moto);

    const bucket = `rolepair-test-${id}`;
    const bucketArn = `arn:aws:s3:::${bucket}`;
    if (variant !== "bucket-missing") await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const host = await createHost(moto, id);
    const { hostRoleName, hostSessionArn, instanceId } = host;

    const targetRoleName = `target-${id}`;
    const targetRoleArn = `arn:aws:iam::${accountId}:role/${targetRoleName}`;
    const trustedArn =
        variant === "target-untrusting"
            ? `arn:aws:sts::${accountId}:assumed-role/other/${instanceId}`
            : hostSessionArn;
    await iam.send(
        new CreateRoleCommand({
            RoleName: targetRoleName,
            AssumeRolePolicyDocument: JSON.stringify(
                serviceTrustPolicy({
                    trustMode: "role",
                    hostRoleArn: trustedArn,
                    accountRootArn: `arn:aws:iam::${accountId}:root`,
                    externalId,
                }),
            ),
        }),
    );
    const objectActions =
        variant === "target-lacks-put"
            ? defaultObjectActions.filter((a) => a !== "s3:PutObject")
            : defaultObjectActions;
    await iam.send(
        new PutRolePolicyCommand({
            RoleName: targetRoleName,
            PolicyName: "access",
            PolicyDocument: JSON.stringify(serviceAccessPolicy(bucketArn, objectActions)),
        }),
    );

    if (variant !== "host-lacks-assume") {
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: hostRoleName,
                PolicyName: "assume-target",
                PolicyDocument: JSON.stringify(hostAssumePolicy([targetRoleArn])),
            }),
        );
    }
    if (variant === "host-reads-bucket") {
        // The classic mistake: the host role itself was given the bucket.
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: hostRoleName,
                PolicyName: "direct-bucket-access",
                PolicyDocument: JSON.stringify(
                    serviceAccessPolicy(bucketArn, defaultObjectActions),
                ),
            }),
        );
    }

    return {
        bucket,
        hostRoleName,
        hostSessionArn,
        hostCredentials: host.hostCredentials,
        targetRoleName,
        targetRoleArn,
        secrets: [moto.admin.secretAccessKey, ...host.secrets],
    };
}
