// A service's settings (its role and its bucket), the same on both components: checked into the
// spec its role part builds from. Each check throws an InputError naming the input by its path
// (`trustMode` on the pair, `services.service-a.trustMode` on the several-services host).
import type { BucketPosture } from "./bucket";
import type { ServiceRoleSpec } from "./serviceRole";
import {
    checkBucketName,
    checkBucketPrefix,
    checkExternalId,
    checkIntegerInRange,
    checkObjectActions,
    checkPrincipalArns,
    checkRoleArn,
    checkTrustMode,
    defaultObjectActions,
    InputError,
    ObjectAction,
    sessionDurationBounds,
    TrustMode,
} from "./validation";

/** What a service may set, on either component. */
export interface ServiceSettings {
    readonly trustMode?: TrustMode;
    readonly trustedPrincipalArns?: readonly string[];
    readonly externalId?: string;
    readonly maxSessionDuration?: number;
    readonly objectActions?: readonly ObjectAction[];
    readonly bucketPrefix?: string;
    readonly bucketName?: string;
    readonly roleArn?: string;
}

/** Settings that configure a role or a bucket we create: meaningless for an existing one. */
const newRoleOnly = ["trustMode", "trustedPrincipalArns", "maxSessionDuration"] as const;
const newBucketOnly = ["bucketPrefix"] as const;

export function validateServiceSettings(
    args: ServiceSettings,
    path: string,
    posture: BucketPosture,
): ServiceRoleSpec {
    const at = (key: string) => `${path}${key}`;
    /** A setting that has no default: checked when set, undefined when not. */
    const checkIfSet = <T>(
        key: keyof ServiceSettings,
        check: (input: string, value: unknown) => T,
    ): T | undefined => (args[key] === undefined ? undefined : check(at(key), args[key]));
    /** Throws for the first of `keys` that is set: `accepted` says why it cannot be. */
    const refuseAnyOf = (
        keys: readonly (keyof ServiceSettings)[],
        accepted: (key: string) => string,
    ) => {
        const key = keys.find((k) => args[k] !== undefined);
        if (key !== undefined) throw new InputError(at(key), args[key], accepted(key));
    };
    if (args.roleArn !== undefined) {
        refuseAnyOf(
            newRoleOnly,
            (key) =>
                `nothing with roleArn: the existing role's own trust and policies apply (remove ${key}, or remove roleArn to create a role)`,
        );
        if (args.bucketName === undefined) {
            throw new InputError(
                at("bucketName"),
                undefined,
                "the existing bucket the existing role (roleArn) is expected to reach; required with roleArn",
            );
        }
    }
    if (args.bucketName !== undefined) {
        refuseAnyOf(
            newBucketOnly,
            () => "nothing with bucketName: no bucket is created for an existing one",
        );
    }
    const trustMode = checkTrustMode(at("trustMode"), args.trustMode ?? "role");
    if (args.trustedPrincipalArns !== undefined && trustMode !== "account-root") {
        throw new InputError(
            at("trustedPrincipalArns"),
            args.trustedPrincipalArns,
            'only with trustMode "account-root" (trustMode "role" already names the host role alone)',
        );
    }
    return {
        trustMode,
        trustedPrincipalArns: checkIfSet("trustedPrincipalArns", checkPrincipalArns),
        externalId: checkIfSet("externalId", checkExternalId),
        maxSessionDuration: checkIntegerInRange(
            at("maxSessionDuration"),
            args.maxSessionDuration ?? 3600,
            sessionDurationBounds,
        ),
        objectActions: checkObjectActions(
            at("objectActions"),
            args.objectActions ?? defaultObjectActions,
        ),
        bucketPrefix: checkIfSet("bucketPrefix", checkBucketPrefix),
        bucketName: checkIfSet("bucketName", checkBucketName),
        roleArn: checkIfSet("roleArn", checkRoleArn),
        ...posture,
    };
}
