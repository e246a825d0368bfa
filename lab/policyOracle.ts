// The IAM simulator (@cloud-copilot/iam-simulate, AGPL-3.0: used only under test/ and by the
// policy-report dev script) as an oracle over the documents the stack program really generates.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import * as path from "path";

import { repoRoot, runProgram, stackFileConfig } from "./program";
import { managedPolicyDocument } from "./managedPolicies";
import { accountId } from "./pulumiMocks";

export type Decision = "allowed" | "denied";
type Doc = { Version: string; Statement: unknown[] };

/** One service's role and bucket as generated: the pair's one target, or a SharedDevHost service. */
export interface ServiceDocuments {
    /** The service's name; "target" for the pair's one target role. */
    name: string;
    roleArn: string;
    bucketArn: string;
    trust: Doc;
    policies: Doc[];
    bucketPolicy: Doc;
}

export interface GeneratedDocuments {
    hostRoleArn: string;
    hostTrust: Doc;
    hostPolicies: Doc[];
    /** In the program's registration order (config order for the services stack). */
    services: ServiceDocuments[];
}

/** What the table expects of one service of a several-services stack: stated, not read from config. */
export interface ServiceExpectation {
    /** Default "role": the trust names the host role. */
    trustMode?: "role" | "account-root";
    /** The s3 object actions the role holds. Default GetObject, PutObject (DeleteObject is not in the matrix). */
    objectActions?: string[];
}

export interface StackCase {
    label: string;
    stack: string;
    config: Record<string, string>;
    /** The ExternalId the host passes, when the stack sets one. */
    externalId?: string;
    /** A several-services stack: each service by name, with how its settings must show. */
    services?: Record<string, ServiceExpectation>;
    /** verifyTransport "ssm": the host role also holds AmazonSSMManagedInstanceCore. */
    ssm?: boolean;
}

export const hostRoleArnInMocks = `arn:aws:iam::${accountId}:role/rolepair-host-role-7f3a9c1`;

/**
 * The stacks of the decision table: the three stack files, two narrowed variants of root-trust and
 * a services variant whose per-service settings differ (each must show in its own rows only).
 */
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
        {
            label: "services",
            stack: "services",
            config: { ...stackFileConfig("services"), ...off },
            services: { "service-a": {}, "service-b": {}, "service-c": {} },
        },
        {
            label: "dev, verifyTransport ssm",
            stack: "dev",
            config: { ...stackFileConfig("dev"), "rolepair:verifyTransport": "ssm" },
            ssm: true,
        },
        {
            label: "services, verifyTransport ssm",
            stack: "services",
            config: { ...stackFileConfig("services"), "rolepair:verifyTransport": "ssm" },
            services: { "service-a": {}, "service-b": {}, "service-c": {} },
            ssm: true,
        },
        {
            label: "services, mixed settings",
            stack: "services",
            config: {
                ...stackFileConfig("services"),
                ...off,
                "rolepair:services": JSON.stringify([
                    "service-a",
                    "service-b trustMode=account-root",
                    "service-c objectActions=s3:GetObject",
                ]),
            },
            services: {
                "service-a": {},
                "service-b": { trustMode: "account-root" },
                "service-c": { objectActions: ["s3:GetObject"] },
            },
        },
    ];
}

/** Runs the stack program under mocks and collects every policy document it generates. */
export async function generatedDocuments(stack: StackCase): Promise<GeneratedDocuments> {
    const run = await runProgram(stack.stack, stack.config);
    const named = (type: string, name: string) => {
        const found = run.all(type).find((r) => r.name === name);
        if (!found) throw new Error(`no ${type} named ${name}`);
        return found;
    };
    const hostRole = named("aws:iam/role:Role", "rolepair-host-role");
    // By logical name: the host's sts:AssumeRole policy (host-assume) first, then host-read-profiles.
    const policiesOf = (roleName: string) =>
        run
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === roleName)
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((p) => JSON.parse(p.inputs.policy) as Doc);
    // Managed policies attached to a role count like its inline policies (verifyTransport ssm).
    const attachedTo = (roleName: string) =>
        run
            .all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === roleName)
            .map((a) => managedPolicyDocument(a.inputs.policyArn) as Doc);
    // Every target role is `<prefix>target-role` with its bucket `<prefix>bucket`: prefix
    // "rolepair-" for the pair, "rolepair-<service>-" for each service of the services stack.
    const services = run
        .all("aws:iam/role:Role")
        .filter((r) => r.name.endsWith("target-role"))
        .map((role): ServiceDocuments => {
            const prefix = role.name.slice(0, -"target-role".length);
            return {
                name: prefix.slice("rolepair-".length, -1) || "target",
                roleArn: role.state.arn,
                bucketArn: named("aws:s3/bucket:Bucket", `${prefix}bucket`).state.arn,
                trust: JSON.parse(role.inputs.assumeRolePolicy),
                policies: [...policiesOf(role.state.name), ...attachedTo(role.state.name)],
                bucketPolicy: JSON.parse(
                    named("aws:s3/bucketPolicy:BucketPolicy", `${prefix}bucket-policy`).inputs
                        .policy,
                ),
            };
        });
    // An existing role (a service's roleArn) has no generated trust to judge: refuse, not skip.
    const hostPolicies = [...policiesOf(hostRole.state.name), ...attachedTo(hostRole.state.name)];
    const unseen = hostPolicies
        .flatMap((d) => d.Statement as { Resource?: string | string[] }[])
        .flatMap((st) => st.Resource ?? [])
        .filter((arn) => arn.includes(":role/") && !services.some((s) => s.roleArn === arn));
    if (unseen.length > 0) {
        throw new Error(
            `the host may assume roles the stack does not create: ${unseen.join(", ")}`,
        );
    }
    return {
        hostRoleArn: hostRole.state.arn,
        hostTrust: JSON.parse(hostRole.inputs.assumeRolePolicy),
        hostPolicies,
        services,
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

/** A row's identity in failure messages and mutation tests. */
export const rowKey = (r: Pick<Row, "principal" | "action" | "resource">) =>
    `${r.principal} ${r.action} ${r.resource}`;

/** The object every table reads and writes in a bucket. */
export const objectIn = (bucketArn: string) => `${bucketArn}/reports/today.csv`;

const sessionOf = (roleArn: string, session: string) => {
    const [, partition, , , account, resource] = roleArn.split(":");
    return `arn:${partition}:sts::${account}:assumed-role/${resource.split("/").pop()}/${session}`;
};

const allowAssume = (roleArns: string[]): Doc => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArns }],
});

/** Row builders over one stack's documents: each request carries the resource's own policy. */
function rowBuilders(docs: GeneratedDocuments) {
    const s3 = (
        p: Principal,
        action: string,
        resource: string,
        expected: Decision,
        why: string,
        context?: Record<string, string>,
    ): Row => {
        const owner = docs.services.find(
            (s) => resource === s.bucketArn || resource.startsWith(`${s.bucketArn}/`),
        );
        return {
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
                resourcePolicy: owner?.bucketPolicy,
                context,
            },
        };
    };
    const assume = (
        p: Principal,
        roleArn: string,
        expected: Decision,
        why: string,
        context: Record<string, string> = {},
        trust = docs.services.find((s) => s.roleArn === roleArn)?.trust,
    ): Row => ({
        principal: p.label,
        action: context["sts:ExternalId"] ? "sts:AssumeRole (with ExternalId)" : "sts:AssumeRole",
        resource: roleArn,
        expected,
        why,
        request: {
            principal: p,
            action: "sts:AssumeRole",
            resource: roleArn,
            resourceAccount: accountId,
            resourcePolicy: trust,
            context,
        },
    });
    const host: Principal = {
        label: "host session",
        sessionArn: sessionOf(docs.hostRoleArn, "i-0123456789abcdef0"),
        roleArn: docs.hostRoleArn,
        identityPolicies: docs.hostPolicies,
    };
    const serviceSession = (service: ServiceDocuments, label: string): Principal => ({
        label,
        sessionArn: sessionOf(service.roleArn, "verify"),
        roleArn: service.roleArn,
        identityPolicies: service.policies,
    });
    const otherRoleArn = `arn:aws:iam::${accountId}:role/another-app`;
    const otherRole = (label: string, assumable: string[]): Principal => ({
        label,
        sessionArn: sessionOf(otherRoleArn, "app"),
        roleArn: otherRoleArn,
        identityPolicies: [allowAssume(assumable)],
    });
    return { s3, assume, host, serviceSession, otherRole, otherRoleArn };
}

/** The decision table for one stack, with the outcome each row must have. */
export function decisionTable(stack: StackCase, docs: GeneratedDocuments): Row[] {
    const rows = stack.services ? servicesTable(stack.services, docs) : pairTable(stack, docs);
    return [...rows, ...profileRows(stack, docs), ...(stack.ssm ? ssmAgentRows(docs) : [])];
}

/** The ARN IAM authorizes GetParametersByPath against: a host's profiles path, in the mocks. */
export const profilesPathArn = (stack: string, component = "rolepair") =>
    `arn:aws:ssm:us-east-1:${accountId}:parameter/rolepair/rolepair/${stack}/${component}/profiles`;

/**
 * The host reads its profiles from SSM Parameter Store: exactly its own path, by path (what
 * GetParametersByPath is authorized against), and nothing else there; the S3 rows above still
 * say the host reaches no bucket.
 */
function profileRows(stack: StackCase, docs: GeneratedDocuments): Row[] {
    const { s3: row, host } = rowBuilders(docs);
    const own = profilesPathArn(stack.stack);
    const profile = stack.services ? Object.keys(stack.services)[0] : "target";
    return [
        row(host, "ssm:GetParametersByPath", own, "allowed", "the host syncs its own profiles"),
        row(
            host,
            "ssm:GetParametersByPath",
            profilesPathArn(stack.stack, "other-host"),
            "denied",
            "another host's profiles are not this host's to read",
        ),
        row(
            host,
            "ssm:GetParametersByPath",
            "arn:aws:ssm:us-east-1:123456789012:parameter/rolepair",
            "denied",
            "no parent path: it would reach every host's profiles",
        ),
        // AWS's AmazonSSMManagedInstanceCore (verifyTransport ssm) grants ssm:GetParameter on "*".
        stack.ssm
            ? row(
                  host,
                  "ssm:GetParameter",
                  `${own}/${profile}`,
                  "allowed",
                  "AmazonSSMManagedInstanceCore grants ssm:GetParameter on every parameter",
              )
            : row(
                  host,
                  "ssm:GetParameter",
                  `${own}/${profile}`,
                  "denied",
                  "only the path read is granted",
              ),
        row(
            host,
            "ssm:PutParameter",
            `${own}/${profile}`,
            "denied",
            "the host cannot write profiles",
        ),
    ];
}

/**
 * With verifyTransport ssm the host role holds the SSM agent's managed policy: these rows show it
 * is really evaluated (the agent may register and open its channels), while every S3 row of the
 * table above still says denied: the policy grants no S3 action.
 */
function ssmAgentRows(docs: GeneratedDocuments): Row[] {
    const { s3: row, host } = rowBuilders(docs);
    const instance = `arn:aws:ec2:us-east-1:${accountId}:instance/i-0123456789abcdef0`;
    const why = "AmazonSSMManagedInstanceCore: the SSM agent's own calls";
    return [
        row(host, "ssm:UpdateInstanceInformation", instance, "allowed", why),
        row(host, "ssmmessages:OpenControlChannel", "*", "allowed", why),
        row(host, "ec2messages:GetMessages", "*", "allowed", why),
        row(host, "s3:ListAllMyBuckets", "*", "denied", "the managed policy grants no S3 action"),
    ];
}

/** The pair: one host, one target role, one bucket. */
function pairTable(stack: StackCase, docs: GeneratedDocuments): Row[] {
    if (docs.services.length !== 1) {
        throw new Error(`a pair stack has one target role, got ${docs.services.length}`);
    }
    const [targetDocs] = docs.services;
    const { s3, assume: assumeRole, host, serviceSession, otherRole } = rowBuilders(docs);
    const assume = (
        p: Principal,
        expected: Decision,
        why: string,
        context: Record<string, string> = {},
    ) => assumeRole(p, targetDocs.roleArn, expected, why, context);
    const other = otherRole("another role of the account (holds sts:AssumeRole on target)", [
        targetDocs.roleArn,
    ]);
    const foreignRoleArn = `arn:aws:iam::${otherAccount}:role/outsider`;
    const foreign: Principal = {
        label: "cross-account role (holds sts:AssumeRole on target)",
        sessionArn: sessionOf(foreignRoleArn, "x"),
        roleArn: foreignRoleArn,
        identityPolicies: [allowAssume([targetDocs.roleArn])],
    };
    const target = serviceSession(targetDocs, "target session");
    const hostWithoutPermission: Principal = {
        ...host,
        label: 'host session, "problem" variant (no sts:AssumeRole permission)',
        identityPolicies: [],
    };

    const bucket = targetDocs.bucketArn;
    const object = objectIn(bucket);
    const otherBucket = "arn:aws:s3:::someone-elses-bucket";
    const ext = stack.externalId;
    const withExt: Record<string, string> = ext ? { "sts:ExternalId": ext } : {};
    const isDev = stack.stack === "dev";
    const isNarrowed = stack.label.includes("trustedPrincipalArns");

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

/**
 * A several-services stack: the host reaches no bucket and may assume every service role (and no
 * other role); each service reaches its own bucket (per its objectActions) and no other.
 */
function servicesTable(expected: Record<string, ServiceExpectation>, docs: GeneratedDocuments) {
    const names = docs.services.map((s) => s.name);
    if (JSON.stringify(names) !== JSON.stringify(Object.keys(expected))) {
        throw new Error(
            `generated services ${names.join(", ")}; the case expects ${Object.keys(expected).join(", ")}`,
        );
    }
    const { s3, assume, host, serviceSession, otherRole, otherRoleArn } = rowBuilders(docs);
    const other = otherRole(
        "another role of the account (holds sts:AssumeRole on every service role)",
        docs.services.map((s) => s.roleArn),
    );
    const hostWithoutPermission: Principal = {
        ...host,
        label: "host session without sts:AssumeRole permission",
        identityPolicies: [],
    };
    // A role outside the stack whose trust defers to the account: only the host's own policy
    // can keep the host out of it (a trust naming the host role would admit it regardless).
    const accountRootTrust = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "sts:AssumeRole",
            },
        ],
    };

    const rows: Row[] = [];
    for (const { bucketArn } of docs.services) {
        rows.push(
            s3(host, "s3:ListBucket", bucketArn, "denied", "the host role has no S3 permission"),
            ...["s3:GetObject", "s3:PutObject"].map((action) =>
                s3(
                    host,
                    action,
                    objectIn(bucketArn),
                    "denied",
                    "the host role has no S3 permission",
                ),
            ),
        );
    }
    for (const service of docs.services) {
        const rootTrust = expected[service.name].trustMode === "account-root";
        rows.push(
            assume(host, service.roleArn, "allowed", "the host may assume every service role"),
            assume(
                hostWithoutPermission,
                service.roleArn,
                rootTrust ? "denied" : "allowed",
                rootTrust
                    ? "account-root trust needs the identity policy too"
                    : "same-account rule: a trust naming the host role ARN is enough on its own",
            ),
            assume(
                other,
                service.roleArn,
                rootTrust ? "allowed" : "denied",
                rootTrust
                    ? "account-root trust defers to the caller's identity policy"
                    : "the trust names the host role only",
            ),
        );
    }
    rows.push(
        assume(
            host,
            otherRoleArn,
            "denied",
            "the host may assume the service roles only (this role's trust defers to the account)",
            {},
            accountRootTrust,
        ),
    );
    // The N×N matrix: every service session on every bucket.
    for (const service of docs.services) {
        const session = serviceSession(service, `${service.name} session`);
        const objectActions = expected[service.name].objectActions ?? [
            "s3:GetObject",
            "s3:PutObject",
        ];
        for (const bucket of docs.services) {
            const own = bucket === service;
            for (const [action, resource] of [
                ["s3:ListBucket", bucket.bucketArn],
                ["s3:GetObject", objectIn(bucket.bucketArn)],
                ["s3:PutObject", objectIn(bucket.bucketArn)],
            ]) {
                const granted = action === "s3:ListBucket" || objectActions.includes(action);
                rows.push(
                    own && granted
                        ? s3(session, action, resource, "allowed", "its own bucket")
                        : s3(
                              session,
                              action,
                              resource,
                              "denied",
                              own ? "not in its objectActions" : `${bucket.name}'s bucket`,
                          ),
                );
            }
        }
        rows.push(
            s3(
                session,
                "s3:GetObject",
                objectIn(service.bucketArn),
                "denied",
                "the bucket policy refuses plain HTTP",
                { "aws:SecureTransport": "false" },
            ),
        );
    }
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

/** Where `npm run policy-report -- --write` keeps the tables; a test checks it is current. */
export const decisionsDocPath = path.join(repoRoot, "docs", "policy-decisions.md");

/** The whole report: every stack's table as markdown, and how many rows were unexpected. */
export async function decisionReport(): Promise<{ markdown: string; unexpected: number }> {
    const sections: string[] = [
        "# Policy decisions (generated)",
        "",
        "Written by `npm run policy-report -- --write` from the documents the stack program really",
        "generates, judged by the IAM simulator; `test/policy` fails when this file is not current.",
        "Principals are as AWS sees them: the host's session is",
        "`arn:aws:sts::<account>:assumed-role/<host role>/<instance id>`.",
    ];
    let unexpected = 0;
    for (const stack of stackCases()) {
        const rows = await evaluate(decisionTable(stack, await generatedDocuments(stack)));
        unexpected += rows.filter((r) => r.actual !== r.expected).length;
        sections.push("", markdownTable(stack.label, rows));
    }
    return { markdown: `${sections.join("\n")}\n`, unexpected };
}
