// Several services on one host inside moto: one host role (one sts:AssumeRole statement on every
// service role, via hostAssumePolicy), and per service its own role and bucket, built with the
// component's policy builders. Correct, or broken in one named way.
//
// The moto workarounds of scenario.ts apply here too (see its header): each service role's trust
// names the host *session* ARN, because moto compares trust principals literally with the caller's
// session ARN; the host role's EC2 trust also names the admin, because a Service-only principal
// makes AssumeRole answer 500; the host credentials are minted by the admin and served by the
// IMDSv2 double, because moto's IMDS credentials are not role-bound; expiry is not enforced.
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand } from "@aws-sdk/client-s3";

import { hostAssumePolicy, serviceAccessPolicy, serviceTrustPolicy } from "../components/policies";
import { defaultObjectActions, type ObjectAction } from "../components/validation";
import type { VerifyTarget } from "../contract/plan";
import { accountId, adminS3Client, Moto, region, StaticCredentials } from "./moto";
import { createHost, nextScenarioId } from "./scenario";

export const serviceNames = ["service-a", "service-b", "service-c"] as const;
export type ServiceName = (typeof serviceNames)[number];

export type MatrixVariant =
    | "correct"
    /** service-b's role can also list service-a's bucket (a second, merged access policy). */
    | "b-lists-a"
    /** The host role itself can read service-c's bucket. */
    | "host-reads-c"
    /** The host's sts:AssumeRole statement names only service-a's and service-b's roles. */
    | "host-lacks-assume-c"
    /** service-c's trust names another principal, not the host. */
    | "c-untrusting";

export interface MatrixService {
    name: ServiceName;
    roleName: string;
    roleArn: string;
    bucket: string;
    /** What the plan declares for it (undefined: the default get, put, delete). */
    objectActions?: ObjectAction[];
}

export interface MatrixScenario {
    hostRoleName: string;
    hostSessionArn: string;
    hostCredentials: StaticCredentials;
    services: MatrixService[];
    /** Every secret this scenario created, for leak checks. */
    secrets: string[];
    /** The verify plan: one target per service, with `extra` merged into each. */
    plan(extra?: (s: MatrixService) => Partial<VerifyTarget>): VerifyTarget[];
}

export interface MatrixOptions {
    /** Object actions declared in the plan, per service. Default: none given (get, put, delete). */
    declared?: Partial<Record<ServiceName, ObjectAction[]>>;
    /** Object actions the role is granted, per service, when they differ from what is declared. */
    granted?: Partial<Record<ServiceName, ObjectAction[]>>;
}

export async function createMatrixScenario(
    moto: Moto,
    variant: MatrixVariant,
    options: MatrixOptions = {},
): Promise<MatrixScenario> {
    const id = nextScenarioId();
    const clientConfig = { endpoint: moto.endpoint, region, credentials: moto.admin };
    const iam = new IAMClient(clientConfig);
    const s3 = adminS3Client(moto);
    const host = await createHost(moto, id);

    const services: MatrixService[] = serviceNames.map((name) => {
        const roleName = `${name}-${id}`;
        return {
            name,
            roleName,
            roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
            bucket: `rolepair-${name}-${id}`,
            objectActions: options.declared?.[name],
        };
    });
    const byName = (name: ServiceName) => services.find((s) => s.name === name)!;
    const bucketArn = (s: MatrixService) => `arn:aws:s3:::${s.bucket}`;

    await Promise.all(
        services.map(async (service) => {
            await s3.send(new CreateBucketCommand({ Bucket: service.bucket }));
            // moto: the trust names the host session ARN (see the header).
            const trusted =
                variant === "c-untrusting" && service.name === "service-c"
                    ? `arn:aws:sts::${accountId}:assumed-role/other/${host.instanceId}`
                    : host.hostSessionArn;
            await iam.send(
                new CreateRoleCommand({
                    RoleName: service.roleName,
                    AssumeRolePolicyDocument: JSON.stringify(
                        serviceTrustPolicy({
                            trustMode: "role",
                            hostRoleArn: trusted,
                            accountRootArn: `arn:aws:iam::${accountId}:root`,
                        }),
                    ),
                }),
            );
            const granted =
                options.granted?.[service.name] ?? service.objectActions ?? defaultObjectActions;
            await iam.send(
                new PutRolePolicyCommand({
                    RoleName: service.roleName,
                    PolicyName: "access",
                    PolicyDocument: JSON.stringify(
                        serviceAccessPolicy(bucketArn(service), granted),
                    ),
                }),
            );
        }),
    );

    if (variant === "b-lists-a") {
        // A merged policy: service-b's role also holds service-a's access document.
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: byName("service-b").roleName,
                PolicyName: "merged-from-service-a",
                PolicyDocument: JSON.stringify(
                    serviceAccessPolicy(bucketArn(byName("service-a")), defaultObjectActions),
                ),
            }),
        );
    }
    const assumable =
        variant === "host-lacks-assume-c"
            ? services.filter((s) => s.name !== "service-c")
            : services;
    await iam.send(
        new PutRolePolicyCommand({
            RoleName: host.hostRoleName,
            PolicyName: "assume-services",
            PolicyDocument: JSON.stringify(hostAssumePolicy(assumable.map((s) => s.roleArn))),
        }),
    );
    if (variant === "host-reads-c") {
        // The classic mistake, for one service: the host role itself was given its bucket.
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: host.hostRoleName,
                PolicyName: "direct-bucket-access",
                PolicyDocument: JSON.stringify(
                    serviceAccessPolicy(bucketArn(byName("service-c")), defaultObjectActions),
                ),
            }),
        );
    }

    return {
        hostRoleName: host.hostRoleName,
        hostSessionArn: host.hostSessionArn,
        hostCredentials: host.hostCredentials,
        services,
        secrets: [moto.admin.secretAccessKey, ...host.secrets],
        plan: (extra) =>
            services.map((s) => ({
                name: s.name,
                roleArn: s.roleArn,
                bucket: s.bucket,
                ...(s.objectActions ? { objectActions: s.objectActions } : {}),
                ...(extra ? extra(s) : {}),
            })),
    };
}
