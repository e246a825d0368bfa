// Pulumi mocks for the whole program or the component (pulumi/examples testing-unit-ts): every
// registration is recorded so tests find resources by type and name; invokes we know are answered,
// the unknown throw.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const project = "rolepair";
export const accountId = "123456789012";

export interface Registered {
    type: string;
    name: string;
    urn: string;
    /** The parent's type token, read from the URN; undefined at the root. */
    parentType?: string;
    /** The parent's URN as sent to the engine; undefined at the root (or the stack). */
    parentUrn?: string;
    /** URNs this resource depends on (dependsOn and inputs). */
    dependencies: string[];
    /** Resource options the engine acts on when it diffs or deletes (only those set). */
    options: RecordedOptions;
    /** Inputs as serialized on the wire: secrets still wrapped in Pulumi's secret signature. */
    wireInputs: Record<string, any>;
    inputs: Record<string, any>;
    state: Record<string, any>;
}

export interface MockOptions {
    partition?: string;
    region?: string;
    /** stdout the mocked remote verify command prints. Default: a passing report. */
    verifyStdout?: string;
}

/** A passing report in verify's shape (contract/report.ts). */
export const passingReportJson = JSON.stringify({
    ok: true,
    steps: [{ name: "base-identity", ok: true, expected: "x", observed: "arn", durationMs: 1 }],
    identities: {},
    services: [
        {
            name: "target",
            roleArn: "arn:aws:iam::123456789012:role/target",
            bucket: "bucket",
            ok: true,
            steps: [
                {
                    name: "base-denied",
                    ok: true,
                    expected: "AccessDenied",
                    observed: "AccessDenied",
                    durationMs: 1,
                },
            ],
            identities: {},
            credentials: {},
        },
    ],
    isolation: [],
});

/**
 * The line the host-key reader prints (with its newline): a real ECDSA public key, made with
 * ssh-keygen for these tests only.
 */
export const mockHostKeyLine =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMATxbfK6wMTxnHcgvNUsuZgvSDV5tY4P2/Jpatd6gsDgDpaNnStcge00K3Vt+ELow1D283BkExRrrfN+g5KzTM=\n";

/** Physical names the way Pulumi auto-names: the logical name plus a random-looking suffix. */
function physicalName(logical: string, prefix?: string): string {
    return prefix ? `${prefix}20261123abcd` : `${logical}-7f3a9c1`;
}

/** A local or remote command that ran and printed `stdout` (and nothing on stderr). */
function commandRan(args: pulumi.runtime.MockResourceArgs, stdout: string) {
    return { id: args.name, state: { ...args.inputs, stdout, stderr: "" } };
}

function newResource(
    args: pulumi.runtime.MockResourceArgs,
    options: MockOptions,
): { id: string; state: any } {
    const partition = options.partition ?? "aws";
    const inputs = args.inputs;
    switch (args.type) {
        case "aws:iam/role:Role": {
            const name = inputs.name ?? physicalName(args.name);
            return {
                id: name,
                state: { ...inputs, name, arn: `arn:${partition}:iam::${accountId}:role/${name}` },
            };
        }
        case "aws:iam/instanceProfile:InstanceProfile": {
            const name = physicalName(args.name);
            return {
                id: name,
                state: {
                    ...inputs,
                    name,
                    arn: `arn:${partition}:iam::${accountId}:instance-profile/${name}`,
                },
            };
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = physicalName(args.name, inputs.bucketPrefix);
            return {
                id: bucket,
                state: { ...inputs, bucket, arn: `arn:${partition}:s3:::${bucket}` },
            };
        }
        case "aws:ec2/instance:Instance":
            return { id: "i-0123456789abcdef0", state: { ...inputs, publicIp: "198.51.100.10" } };
        case "aws:ec2/keyPair:KeyPair":
            return {
                id: physicalName(args.name),
                state: { ...inputs, keyName: physicalName(args.name) },
            };
        case "tls:index/privateKey:PrivateKey":
            return {
                id: args.name,
                state: {
                    ...inputs,
                    publicKeyOpenssh:
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockMockMockMockMockMockMockMockMockMockMo",
                    privateKeyOpenssh:
                        "-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n-----END OPENSSH PRIVATE KEY-----\n",
                },
            };
        case "command:local:Command":
            return commandRan(
                args,
                args.name.endsWith("-verify-ssm")
                    ? (options.verifyStdout ?? passingReportJson)
                    : args.name.endsWith("-host-key")
                      ? mockHostKeyLine
                      : "",
            );
        case "command:remote:Command":
            return commandRan(
                args,
                args.name.endsWith("-verify")
                    ? (options.verifyStdout ?? passingReportJson)
                    : "v22.0.0",
            );
        default:
            return { id: `${args.name}-id`, state: inputs };
    }
}

function call(args: pulumi.runtime.MockCallArgs, options: MockOptions): Record<string, any> {
    const partition = options.partition ?? "aws";
    switch (args.token) {
        case "aws:index/getPartition:getPartition":
            return {
                id: partition,
                partition,
                dnsSuffix: "amazonaws.com",
                reverseDnsPrefix: "com.amazonaws",
            };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                id: accountId,
                accountId,
                arn: `arn:${partition}:iam::${accountId}:user/deployer`,
                userId: "AIDAMOCK",
            };
        case "aws:index/getRegion:getRegion":
            return {
                id: options.region ?? "us-east-1",
                region: options.region ?? "us-east-1",
                name: options.region ?? "us-east-1",
            };
        case "aws:ssm/getParameter:getParameter":
            return {
                id: args.inputs.name,
                name: args.inputs.name,
                value: "ami-0abcdef1234567890",
                type: "String",
            };
        case "aws:ec2/getVpc:getVpc":
            return { id: "vpc-0default00000000", default: true };
        case "aws:ec2/getSubnet:getSubnet":
            return { id: args.inputs.id, vpcId: "vpc-0fromsubnet0000" };
        default:
            throw new Error(`unmocked invoke ${args.token}`);
    }
}

export interface MockedRun {
    resources: Registered[];
    /** The first resource of the type whose logical name ends with the suffix; throws if none. */
    find(type: string, nameSuffix: string): Registered;
    all(type: string): Registered[];
}

/**
 * Installs fresh mocks and config, runs `load` (which registers resources), waits for every
 * registration to finish, and returns what was registered.
 */
export async function runMocked(
    stack: string,
    config: Record<string, string>,
    load: () => Promise<unknown>,
    options: MockOptions = {},
    secretKeys: string[] = [],
): Promise<MockedRun & { loaded: any }> {
    pulumi.runtime.setAllConfig(
        Object.fromEntries(
            Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]),
        ),
        secretKeys.map((k) => `${project}:${k}`),
    );
    const registered = new Map<string, { inputs: any; state: any }>();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const result = newResource(args, options);
                registered.set(`${args.type}::${args.name}`, {
                    inputs: unwrapSecrets(args.inputs),
                    state: result.state,
                });
                return result;
            },
            call: (args) => call(args, options),
        },
        project,
        stack,
        false,
    );

    // The mocks API hides parents and dependencies; the monitor's request carries them.
    const monitor = pulumi.runtime.getMonitor() as unknown as Omit<
        MockMonitor,
        "registerResource"
    > & {
        registerResource(req: any, callback: (err: any, res: any) => void): Promise<void>;
    };
    const requests = new Map<
        string,
        { dependencies: string[]; parent: string; wireInputs: any; options: RecordedOptions }
    >();
    const original = monitor.registerResource.bind(monitor);
    let pending = 0;
    monitor.registerResource = (req, callback) => {
        pending++;
        return original(req, (err: any, res: any) => {
            pending--;
            if (res) {
                requests.set(res.getUrn(), {
                    dependencies: req.getDependenciesList(),
                    parent: req.getParent(),
                    wireInputs: req.getObject()?.toJavaScript() ?? {},
                    options: recordedOptions(req),
                });
            }
            callback(err, res);
        });
    };

    const loaded = await load();
    if (loaded && typeof loaded === "object") {
        for (const value of Object.values(loaded)) {
            if (pulumi.Output.isInstance(value)) await promiseOf(value).catch(() => undefined);
        }
    }
    // Registrations continue after the outputs above resolve; wait until none is in flight.
    for (let quiet = 0; quiet < 5;) {
        await new Promise((r) => setTimeout(r, 10));
        quiet = pending === 0 ? quiet + 1 : 0;
    }

    const resources: Registered[] = [];
    for (const urn of monitor.getRegisteredResources().keys()) {
        const [, , qualifiedType, name] = urn.split("::");
        const types = qualifiedType.split("$");
        const request = requests.get(urn);
        const recorded = registered.get(`${types[types.length - 1]}::${name}`);
        resources.push({
            type: types[types.length - 1],
            name,
            urn,
            parentType: types.length > 1 ? types[types.length - 2] : undefined,
            parentUrn: request?.parent || undefined,
            dependencies: request?.dependencies ?? [],
            wireInputs: request?.wireInputs ?? {},
            options: request?.options ?? {},
            inputs: recorded?.inputs ?? {},
            state: recorded?.state ?? {},
        });
    }
    const all = (type: string) => resources.filter((r) => r.type === type);
    const find = (type: string, suffix: string) => {
        const found = resources.find((r) => r.type === type && r.name.endsWith(suffix));
        if (!found)
            throw new Error(
                `no ${type} named *${suffix}; registered: ${resources.map((r) => `${r.type} ${r.name}`).join(", ")}`,
            );
        return found;
    };
    return { resources, find, all, loaded };
}

/** The options that decide between update and replacement, or what a delete does. */
export interface RecordedOptions {
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    deleteBeforeReplace?: true;
    retainOnDelete?: true;
}

/**
 * What `@pulumi/command` adds to every command itself (its constructors merge
 * `replaceOnChanges: ["triggers[*]"]`): not a choice of ours, so not recorded.
 */
const commandOwnReplaceOnChanges = "triggers[*]";

/** The registration request's replacement-deciding options, each only when set. */
function recordedOptions(req: {
    getType(): string;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getRetainondelete(): boolean | undefined;
}): RecordedOptions {
    const options: RecordedOptions = {};
    const ignoreChanges = req.getIgnorechangesList();
    if (ignoreChanges.length > 0) options.ignoreChanges = ignoreChanges;
    const replaceOnChanges = req
        .getReplaceonchangesList()
        .filter((p) => !(req.getType().startsWith("command:") && p === commandOwnReplaceOnChanges));
    if (replaceOnChanges.length > 0) options.replaceOnChanges = replaceOnChanges;
    if (req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
    if (req.getRetainondelete()) options.retainOnDelete = true;
    return options;
}

/** Pulumi's wire marker for a secret value. */
export const secretSignature = "4dabf18193072939515e22adb298388d";

export function isWireSecret(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        secretSignature in value &&
        (value as any)[secretSignature] === "1b47061264138c4ac30d75fd1eb44270"
    );
}

/** Mock inputs keep secrets in their wire wrapper; tests read the values inside. */
function unwrapSecrets(value: any): any {
    if (isWireSecret(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Resolves an Output's value in a test; rejects when an apply in its chain threw. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    // Output.promise() is the SDK's own way to await an Output; it is not in the public typings.
    return (output as unknown as { promise(): Promise<T> }).promise();
}
