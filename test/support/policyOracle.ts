// The IAM simulator (@cloud-copilot/iam-simulate, AGPL-3.0: used only under test/ and by the
// policy-report dev script) as an oracle over the documents the stack program really generates.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

import { runProgram, stackFileConfig } from "./program";
import { accountId } from "./pulumiMocks";

export type Decision = "allowed" | "denied";
type Doc = { Version: string; Statement: unknown[] };

export interface GeneratedDocuments {
    hostRoleArn: string;
    targetRoleArn: string;
    bucketArn: string;
    hostTrust: Doc;
    hostPolicies: Doc[];
    targetTrust: Doc;
    targetPolicies: Doc[];
    bucketPolicy: Doc;
}

export interface StackCase {
    label: string;
    stack: string;
    config: Record<string, string>;
    /** The ExternalId the host passes, when the stack sets one. */
    externalId?: string;
}

export const hostRoleArnInMocks = `arn:aws:iam::${accountId}:role/rolepair-host-role-7f3a9c1`;

/** The stacks of the decision table: the two stack files and two narrowed variants of root-trust. */
export function stackCases(): StackCase[] {
    const off = { "rolepair:verify": "false" };
    return [
        { label: "dev", stack: "dev", config: { ...stackFileConfig("dev"), ...off } },
        {
            label: "root-trust",
            stack: "root-trust",
            config: { ...stackFileConfig("root-trust"), ...off },
        },
        {
            label: "root-trust + trustedPrincipalArns",
            stack: "root-trust",
            config: {
                ...stackFileConfig("root-trust"),
                ...off,
                "rolepair:trustedPrincipalArns": JSON.stringify([hostRoleArnInMocks]),
            },
        },
        {
            label: "root-trust + externalId",
            stack: "root-trust",
            config: {
                ...stackFileConfig("root-trust"),
                ...off,
                "rolepair:externalId": "rolepair-ext-2026",
            },
            externalId: "rolepair-ext-2026",
        },
    ];
}

/** Runs the stack program under mocks and collects every policy document it generates. */
export async function generatedDocuments(stack: StackCase): Promise<GeneratedDocuments> {
    const run = await runProgram(stack.stack, stack.config);
    const hostRole = run.find("aws:iam/role:Role", "host-role");
    const targetRole = run.find("aws:iam/role:Role", "target-role");
    const policiesOf = (roleName: string) =>
        run
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === roleName)
            .map((p) => JSON.parse(p.inputs.policy) as Doc);
    if (run.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length > 0) {
        throw new Error(
            "managed policy attachments are not collected by the oracle: extend it first",
        );
    }
    return {
        hostRoleArn: hostRole.state.arn,
        targetRoleArn: targetRole.state.arn,
        bucketArn: run.find("aws:s3/bucket:Bucket", "bucket").state.arn,
        hostTrust: JSON.parse(hostRole.inputs.assumeRolePolicy),
        hostPolicies: policiesOf(hostRole.state.name),
        targetTrust: JSON.parse(targetRole.inputs.assumeRolePolicy),
        targetPolicies: policiesOf(targetRole.state.name),
        bucketPolicy: JSON.parse(
            run.find("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy").inputs.policy,
        ),
    };
}

export interface Principal {
    label: string;
    /** The caller as AWS sees it: a role session ARN. */
    sessionArn: string;
    /** The role behind the session, for aws:PrincipalArn. */
    roleArn: string;
    identityPolicies: Doc[];
}

export interface Request {
    principal: Principal;
    action: string;
    resource: string;
    resourceAccount: string;
    resourcePolicy?: Doc;
    context?: Record<string, string>;
}

/** Asks the simulator; a simulator validation error is a test failure, never a silent "denied". */
export async function decide(request: Request): Promise<Decision> {
    const simulation: Simulation = {
        request: {
            principal: request.principal.sessionArn,
            action: request.action,
            resource: { resource: request.resource, accountId: request.resourceAccount },
            contextVariables: {
                "aws:PrincipalArn": request.principal.roleArn,
                "aws:PrincipalAccount": request.principal.roleArn.split(":")[4],
                "aws:SecureTransport": "true",
                ...request.context,
            },
        },
        identityPolicies: request.principal.identityPolicies.map((policy, i) => ({
            name: `policy-${i}`,
            policy,
        })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy,
    } as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
        throw new Error(`the simulator rejected the request: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult === "Allowed" ? "allowed" : "denied";
}

export const otherAccount = "210987654321";

export interface Row {
    principal: string;
    action: string;
    resource: string;
    expected: Decision;
    /** Why this row must hold, in the README's words. */
    why: string;
    request: Request;
}

/** The decision table for one stack, with the outcome each row must have. */
export function decisionTable(stack: StackCase, docs: GeneratedDocuments): Row[] {
    const sessionOf = (roleArn: string, session: string) => {
        const [, partition, , , account, resource] = roleArn.split(":");
        return `arn:${partition}:sts::${account}:assumed-role/${resource.split("/").pop()}/${session}`;
    };
    const assumeTarget: Doc = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: docs.targetRoleArn }],
    };
    const host: Principal = {
        label: "host session",
        sessionArn: sessionOf(docs.hostRoleArn, "i-0123456789abcdef0"),
        roleArn: docs.hostRoleArn,
        identityPolicies: docs.hostPolicies,
    };
    const otherRoleArn = `arn:aws:iam::${accountId}:role/another-app`;
    const other: Principal = {
        label: "another role of the account (holds sts:AssumeRole on target)",
        sessionArn: sessionOf(otherRoleArn, "app"),
        roleArn: otherRoleArn,
        identityPolicies: [assumeTarget],
    };
    const foreignRoleArn = `arn:aws:iam::${otherAccount}:role/outsider`;
    const foreign: Principal = {
        label: "cross-account role (holds sts:AssumeRole on target)",
        sessionArn: sessionOf(foreignRoleArn, "x"),
        roleArn: foreignRoleArn,
        identityPolicies: [assumeTarget],
    };
    const target: Principal = {
        label: "target session",
        sessionArn: sessionOf(docs.targetRoleArn, "verify"),
        roleArn: docs.targetRoleArn,
        identityPolicies: docs.targetPolicies,
    };
    const hostWithoutPermission: Principal = {
        ...host,
        label: 'host session, "problem" variant (no sts:AssumeRole permission)',
        identityPolicies: [],
    };

    const bucket = docs.bucketArn;
    const object = `${bucket}/reports/today.csv`;
    const otherBucket = "arn:aws:s3:::someone-elses-bucket";
    const ext = stack.externalId;
    const withExt: Record<string, string> = ext ? { "sts:ExternalId": ext } : {};
    const isDev = stack.label === "dev";
    const isNarrowed = stack.label.includes("trustedPrincipalArns");

    const s3 = (
        p: Principal,
        action: string,
        resource: string,
        expected: Decision,
        why: string,
        context?: Record<string, string>,
    ): Row => ({
        principal: p.label,
        action:
            context?.["aws:SecureTransport"] === "false"
                ? `${action} (aws:SecureTransport=false)`
                : action,
        resource,
        expected,
        why,
        request: {
            principal: p,
            action,
            resource,
            resourceAccount: accountId,
            resourcePolicy: resource.startsWith(bucket) ? docs.bucketPolicy : undefined,
            context,
        },
    });
    const assume = (
        p: Principal,
        expected: Decision,
        why: string,
        context: Record<string, string> = {},
    ): Row => ({
        principal: p.label,
        action: context["sts:ExternalId"] ? "sts:AssumeRole (with ExternalId)" : "sts:AssumeRole",
        resource: docs.targetRoleArn,
        expected,
        why,
        request: {
            principal: p,
            action: "sts:AssumeRole",
            resource: docs.targetRoleArn,
            resourceAccount: accountId,
            resourcePolicy: docs.targetTrust,
            context,
        },
    });

    const rows: Row[] = [
        s3(host, "s3:ListBucket", bucket, "denied", "the host role has no S3 permission"),
        s3(host, "s3:GetObject", object, "denied", "the host role has no S3 permission"),
        assume(host, "allowed", "the host's one permission, and the trust admits it", withExt),
    ];
    if (ext) {
        rows.push(assume(host, "denied", "the trust requires the ExternalId"));
        rows.push(assume(other, "denied", "the trust requires the ExternalId"));
        rows.push(
            assume(
                other,
                "allowed",
                "account-root trust defers to the caller's identity policy",
                withExt,
            ),
        );
    } else if (isDev) {
        rows.push(assume(other, "denied", "the trust names the host role only"));
    } else if (isNarrowed) {
        rows.push(assume(other, "denied", "aws:PrincipalArn narrows the trust to the host role"));
    } else {
        rows.push(
            assume(other, "allowed", "account-root trust defers to the caller's identity policy"),
        );
    }
    rows.push(assume(foreign, "denied", "the trust names this account only", withExt));
    rows.push(
        assume(
            hostWithoutPermission,
            isDev ? "allowed" : "denied",
            isDev
                ? "same-account rule: a trust naming the role ARN is enough on its own"
                : "account-root trust needs the identity policy too",
            withExt,
        ),
    );
    for (const [action, resource] of [
        ["s3:ListBucket", bucket],
        ["s3:GetObject", object],
        ["s3:PutObject", object],
        ["s3:DeleteObject", object],
    ]) {
        rows.push(
            s3(target, action, resource, "allowed", "the target role's least-privilege access"),
        );
    }
    rows.push(s3(target, "s3:ListBucket", otherBucket, "denied", "scoped to this bucket"));
    rows.push(s3(target, "s3:GetObject", `${otherBucket}/x`, "denied", "scoped to this bucket"));
    rows.push(s3(target, "s3:DeleteBucket", bucket, "denied", "no bucket administration"));
    rows.push(s3(target, "s3:PutBucketPolicy", bucket, "denied", "no bucket administration"));
    rows.push(
        s3(target, "s3:GetObject", object, "denied", "the bucket policy refuses plain HTTP", {
            "aws:SecureTransport": "false",
        }),
    );
    rows.push(
        s3(target, "s3:PutObject", object, "denied", "the bucket policy refuses plain HTTP", {
            "aws:SecureTransport": "false",
        }),
    );
    return rows;
}

export interface Evaluated extends Row {
    actual: Decision;
}

export async function evaluate(rows: Row[]): Promise<Evaluated[]> {
    const out: Evaluated[] = [];
    for (const row of rows) out.push({ ...row, actual: await decide(row.request) });
    return out;
}

/** The table as markdown: principal × action × resource → decision. */
export function markdownTable(label: string, rows: Evaluated[]): string {
    const lines = [
        `### ${label}`,
        "",
        "| principal | action | resource | decision | why |",
        "| --- | --- | --- | --- | --- |",
        ...rows.map(
            (r) =>
                `| ${r.principal} | ${r.action} | \`${r.resource}\` | ${r.actual === r.expected ? "" : "**UNEXPECTED** "}${r.actual} | ${r.why} |`,
        ),
    ];
    return lines.join("\n");
}
