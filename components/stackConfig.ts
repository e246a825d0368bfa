// Reads the stack's config into AssumableRolePairArgs. Typing is checked here; ranges and
// formats are checked by the component, so a program built without config gets the same checks.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";

import type { AssumableRolePairArgs } from "./assumableRolePair";
import type { SharedService } from "./sharedDevHost";
import { checkRegion, checkServiceCount, checkServiceName, InputError } from "./validation";

export interface StackConfig extends AssumableRolePairArgs {
    /** Session name used in the ready-to-paste `aws sts assume-role` line. */
    readonly sessionName: string;
    /** A several-services stack (rolepair:services): the services by name, in config order. */
    readonly services?: Record<string, SharedService>;
}

/** Settings written `key=value` in a service entry; lists are comma-separated. */
const entryKeys: Record<keyof SharedService, "text" | "list" | "integer"> = {
    trustMode: "text",
    trustedPrincipalArns: "list",
    externalId: "text",
    maxSessionDuration: "integer",
    objectActions: "list",
    bucketPrefix: "text",
    bucketName: "text",
    roleArn: "text",
    agentUsers: "list",
};

/**
 * One `rolepair:services` entry: `<name> [key=value ...]`, e.g.
 * `service-b bucketName=legacy-reports objectActions=s3:GetObject`. Pulumi.yaml can only declare
 * strings, integers, booleans and arrays, so a service is a string rather than a map.
 */
export function parseServiceEntry(
    path: string,
    entry: string,
): { name: string; settings: SharedService } {
    const [name, ...pairs] = entry.trim().split(/\s+/);
    checkServiceName(path, name);
    const settings: Record<string, unknown> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const key = eq > 0 ? pair.slice(0, eq) : pair;
        // Own keys only: `toString=`, `constructor=` or `__proto__=` are unknown keys, not inherited ones.
        const kind = Object.hasOwn(entryKeys, key)
            ? entryKeys[key as keyof SharedService]
            : undefined;
        if (kind === undefined || eq < 0) {
            throw new InputError(
                `${path}.${key}`,
                pair,
                `key=value with a key among ${Object.keys(entryKeys).join(", ")}`,
            );
        }
        if (Object.hasOwn(settings, key)) {
            throw new InputError(`${path}.${key}`, pair, "each key once per service");
        }
        const raw = pair.slice(eq + 1);
        settings[key] =
            kind === "list"
                ? raw.split(",")
                : kind === "integer" && /^\d+$/.test(raw)
                  ? Number(raw)
                  : raw;
    }
    return { name, settings: settings as SharedService };
}

/** Pair-only keys and the value Pulumi.yaml gives them: with services, they must stay at it. */
const pairOnlyKeys: [keyof AssumableRolePairArgs, unknown][] = [
    ["trustMode", "role"],
    ["trustedPrincipalArns", undefined],
    ["externalId", undefined],
    ["maxSessionDuration", 3600],
    ["objectActions", undefined],
    ["bucketPrefix", undefined],
    ["awsProfileName", "target"],
    ["agentUsers", undefined],
];

/** STS RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
function checkSessionName(key: string, value: string): string {
    if (/^[\w+=,.@-]{2,64}$/.test(value)) return value;
    throw new InputError(key, value, "2 to 64 characters of letters, digits and +=,.@-_");
}

/**
 * Whether a key was set with `--secret`: the SDK's own test (Config.get uses it to warn), which its
 * typings do not declare. Missing from a future SDK, it fails loudly rather than accept plaintext.
 */
function isSecretKey(key: string): boolean {
    const { isConfigSecret } = runtimeConfig as unknown as {
        isConfigSecret?: (key: string) => boolean;
    };
    if (typeof isConfigSecret !== "function") {
        throw new Error(
            "@pulumi/pulumi no longer exposes runtime.isConfigSecret: update stackConfig.ts",
        );
    }
    return isConfigSecret(key);
}

/** A private key must never sit in plaintext in a stack file. */
function secretPrivateKey(config: pulumi.Config): pulumi.Output<string> | undefined {
    const key = `${config.name}:sshPrivateKey`;
    // Emptiness is read from the raw map: config.get on a secret would log a warning.
    if (!pulumi.runtime.getConfig(key)) return undefined;
    if (!isSecretKey(key)) {
        throw new InputError(
            key,
            "(plaintext, not shown)",
            `a secret: pulumi config set --secret sshPrivateKey -- "$(cat ~/.ssh/id_ed25519)" (then remove the plaintext value from the stack file's history)`,
        );
    }
    return config.requireSecret("sshPrivateKey");
}

/** Keys whose values are JSON (numbers, booleans, lists) rather than plain strings. */
function getJson(config: pulumi.Config, key: string, accepted: string): unknown {
    const raw = config.get(key);
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        throw new InputError(`${config.name}:${key}`, raw, accepted);
    }
}

/**
 * Reads the stack's config. Pulumi.yaml gives every optional key an empty default ("" or []):
 * the engine refuses to run while a declared key without a default is unset. Empty means unset.
 */
export function readStackConfig(config = new pulumi.Config()): StackConfig {
    const text = (key: string) => config.get(key) || undefined;
    const list = (key: string) => {
        const value = getJson(config, key, "a YAML list of strings");
        if (
            value !== undefined &&
            !(Array.isArray(value) && value.every((v) => typeof v === "string"))
        ) {
            throw new InputError(`${config.name}:${key}`, value, "a YAML list of strings");
        }
        return (value as string[] | undefined)?.length ? (value as string[]) : undefined;
    };
    const integer = (key: string) => getJson(config, key, "an integer") as number | undefined;
    const integers = (key: string) => {
        const value = getJson(config, key, "a YAML list of integers");
        if (value !== undefined && !Array.isArray(value)) {
            throw new InputError(`${config.name}:${key}`, value, "a YAML list of integers");
        }
        return (value as number[] | undefined)?.length ? (value as number[]) : undefined;
    };
    const boolean = (key: string) => getJson(config, key, "true or false") as boolean | undefined;

    // The region goes into the host's user data: refuse a bad one before anything is created.
    const region = new pulumi.Config("aws").get("region");
    if (region !== undefined) checkRegion("aws:region", region);

    const services = readServices(config, list("services"));

    const stack: StackConfig = {
        trustMode: text("trustMode") as AssumableRolePairArgs["trustMode"],
        trustedPrincipalArns: list("trustedPrincipalArns"),
        externalId: text("externalId"),
        maxSessionDuration: integer("maxSessionDuration"),
        objectActions: list("objectActions") as AssumableRolePairArgs["objectActions"],
        bucketPrefix: text("bucketPrefix"),
        forceDestroy: boolean("forceDestroy"),
        noncurrentVersionExpirationDays: integer("noncurrentVersionExpirationDays"),
        accessLogBucket: text("accessLogBucket"),
        permissionsBoundary: text("permissionsBoundary"),
        egressTcpPorts: integers("egressTcpPorts"),
        instanceType: text("instanceType"),
        httpPutResponseHopLimit: integer("httpPutResponseHopLimit"),
        subnetId: text("subnetId"),
        awsProfileName: text("awsProfileName"),
        verify: boolean("verify"),
        verifyTransport: text("verifyTransport") as AssumableRolePairArgs["verifyTransport"],
        sshIngressCidr: text("sshIngressCidr"),
        sshPublicKey: text("sshPublicKey"),
        sshHostKey: text("sshHostKey"),
        sshPrivateKey: secretPrivateKey(config),
        propagationTimeoutSeconds: integer("propagationTimeoutSeconds"),
        credentialAgent: boolean("credentialAgent"),
        agentUsers: list("agentUsers"),
        sessionName: checkSessionName(
            `${config.name}:sessionName`,
            text("sessionName") ?? "rolepair-check",
        ),
        services,
    };
    if (services !== undefined) refusePairOnlyKeys(config, stack);
    return stack;
}

/** The `services` entries, one service each, by name (each name once). */
function readServices(
    config: pulumi.Config,
    entries: string[] | undefined,
): Record<string, SharedService> | undefined {
    if (entries === undefined) return undefined;
    checkServiceCount(`${config.name}:services`, entries.length);
    // A Map: a service named `constructor` is a name like any other, not an inherited key.
    const byName = new Map<string, SharedService>();
    for (const [i, entry] of entries.entries()) {
        const path = `${config.name}:services[${i}]`;
        const { name, settings } = parseServiceEntry(path, entry);
        if (byName.has(name)) {
            throw new InputError(
                path,
                entry,
                `a service name used once (${name} is already listed)`,
            );
        }
        byName.set(name, settings);
    }
    return Object.fromEntries(byName);
}

/** Keys that configure the pair's one service, refused beside `services`. */
function refusePairOnlyKeys(config: pulumi.Config, stack: StackConfig): void {
    for (const [key, engineDefault] of pairOnlyKeys) {
        const value = stack[key];
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(engineDefault)) {
            throw new InputError(
                `${config.name}:${key}`,
                value,
                key === "awsProfileName"
                    ? `no value with ${config.name}:services: each service's profile is named after the service`
                    : `no value with ${config.name}:services: set it per service in the entry (e.g. "service-a ${key}=...")`,
            );
        }
    }
}
