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

export function readStackConfig(config = new pulumi.Config()): StackConfig {
    const list = (key: string) => {
        const value = getJson(config, key, "a YAML list of strings");
        if (
            value !== undefined &&
            !(Array.isArray(value) && value.every((v) => typeof v === "string"))
        ) {
            throw new InputError(`${config.name}:${key}`, value, "a YAML list of strings");
        }
        return value as string[] | undefined;
    };
    const integer = (key: string) => getJson(config, key, "an integer") as number | undefined;
    const boolean = (key: string) => getJson(config, key, "true or false") as boolean | undefined;

    return {
        trustMode: config.get("trustMode") as AssumableRolePairArgs["trustMode"],
        trustedPrincipalArns: list("trustedPrincipalArns"),
        externalId: config.get("externalId"),
        maxSessionDuration: integer("maxSessionDuration"),
        objectActions: list("objectActions") as AssumableRolePairArgs["objectActions"],
        bucketPrefix: config.get("bucketPrefix"),
        forceDestroy: boolean("forceDestroy"),
        instanceType: config.get("instanceType"),
        httpPutResponseHopLimit: integer("httpPutResponseHopLimit"),
        subnetId: config.get("subnetId"),
        awsProfileName: config.get("awsProfileName"),
        verify: boolean("verify"),
        sshIngressCidr: config.get("sshIngressCidr"),
        sshPublicKey: config.get("sshPublicKey"),
        sshPrivateKey: config.getSecret("sshPrivateKey"),
        propagationTimeoutSeconds: integer("propagationTimeoutSeconds"),
        sessionName: checkSessionName(
            `${config.name}:sessionName`,
            config.get("sessionName") ?? "rolepair-check",
        ),
    };
}
