// The IAM documents a mocked run registered, parsed, and the shapes the tests expect them to equal.
// The expected shapes spell out every field (Effect "Allow" included), so a test comparing with
// deepStrictEqual still fails on any difference: they only save writing the same frame each time.
import type { MockedRun, Registered } from "../../lab/pulumiMocks";

/** The parsed policy of the inline RolePolicy whose logical name ends with `nameSuffix`. */
export function inlinePolicy(run: MockedRun, nameSuffix: string) {
    return JSON.parse(run.find("aws:iam/rolePolicy:RolePolicy", nameSuffix).inputs.policy);
}

/** The parsed trust policy of the Role whose logical name ends with `nameSuffix`. */
export function trustPolicy(run: MockedRun, nameSuffix: string) {
    return JSON.parse(run.find("aws:iam/role:Role", nameSuffix).inputs.assumeRolePolicy);
}

/** Every inline RolePolicy attached to the role with this physical name. */
export function rolePoliciesOf(run: MockedRun, roleName: string): Registered[] {
    return run.all("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleName);
}

/** A policy document of these statements. */
export const policyDocument = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

/** An identity-policy statement allowing `Action` on `Resource`. */
export const allow = (Sid: string, Action: string | string[], Resource: string | string[]) => ({
    Sid,
    Effect: "Allow",
    Action,
    Resource,
});

/** A trust statement letting `Principal` call sts:AssumeRole. */
export const allowAssumeRole = (Sid: string, Principal: object) => ({
    Sid,
    Effect: "Allow",
    Principal,
    Action: "sts:AssumeRole",
});
