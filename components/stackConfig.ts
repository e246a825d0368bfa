// Reads the stack's config into AssumableRolePairArgs. Typing is checked here; ranges and
// formats are checked by the component, so a program built without config gets the same checks.
import * as pulumi from "@pulumi/pulumi";

import type { AssumableRolePairArgs } from "./assumableRolePair";
import { InputError } from "./validation";

export interface StackConfig extends AssumableRolePairArgs {
    /** Session name used in the ready-to-paste `aws sts assume-role` line. */
    readonly sessionName: string;
}

/** STS RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
function checkSessionName(key: string, value: string): string {
    if (/^[\w+=,.@-]{2,64}$/.test(value)) return value;
    throw new InputError(key, value, "2 to 64 characters of letters, digits and +=,.@-_");
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
    const boolean = (key: string) => getJson(config, key, "true or false") as boolean | undefined;

    return {
        trustMode: text("trustMode") as AssumableRolePairArgs["trustMode"],
        trustedPrincipalArns: list("trustedPrincipalArns"),
        externalId: text("externalId"),
        maxSessionDuration: integer("maxSessionDuration"),
        objectActions: list("objectActions") as AssumableRolePairArgs["objectActions"],
        bucketPrefix: text("bucketPrefix"),
        forceDestroy: boolean("forceDestroy"),
        instanceType: text("instanceType"),
        httpPutResponseHopLimit: integer("httpPutResponseHopLimit"),
        subnetId: text("subnetId"),
        awsProfileName: text("awsProfileName"),
        verify: boolean("verify"),
        sshIngressCidr: text("sshIngressCidr"),
        sshPublicKey: text("sshPublicKey"),
        // Emptiness is read from the raw map: config.get on a secret would log a warning.
        sshPrivateKey: pulumi.runtime.getConfig(`${config.name}:sshPrivateKey`)
            ? config.getSecret("sshPrivateKey")
            : undefined,
        propagationTimeoutSeconds: integer("propagationTimeoutSeconds"),
        sessionName: checkSessionName(
            `${config.name}:sessionName`,
            text("sessionName") ?? "rolepair-check",
        ),
    };
}
