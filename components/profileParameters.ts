// One SSM parameter per service's profile, under the host's own path: a service added, changed or
// removed is a parameter created, updated or deleted, never a change to the instance. Each value is
// the profile's fields as JSON (contract/profileParameters.ts), never config text: the host renders
// the `[profile NAME]` block itself, with the same rules. A plain String: nothing in it is secret
// (docs/security.md).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { AgentAccess } from "../contract/credentialAgent";
import { profileParameterValue } from "../contract/profileParameters";
import { profileParameterName } from "../contract/profileSync";
import { checkRegion } from "./validation";

/** One service's profile, as the host part knows it. */
export interface ProfileSpec {
    profileName: string;
    roleArn: pulumi.Output<string>;
    externalId?: string;
    /** With the credential agent on: who may use the service's token (made on the host, never here). */
    agent?: AgentAccess;
}

export interface ProfileParameters {
    parameters: aws.ssm.Parameter[];
    /** Every profile as the parameters carry them, in order: a change re-runs the sync and the proof. */
    profiles: pulumi.Output<string>;
}

export function createProfileParameters(
    name: string,
    services: readonly ProfileSpec[],
    args: { region: pulumi.Output<string>; profilesPath: string },
    parent: pulumi.Resource,
): ProfileParameters {
    const values = pulumi
        .all([args.region, pulumi.all(services.map((s) => s.roleArn))])
        .apply(([region, roleArns]) =>
            services.map((s, i) =>
                profileParameterValue({
                    name: s.profileName,
                    roleArn: roleArns[i],
                    region: checkRegion("aws:region", region),
                    ...(s.externalId !== undefined ? { externalId: s.externalId } : {}),
                    ...(s.agent !== undefined ? { agent: s.agent } : {}),
                }),
            ),
        );
    const parameters = services.map(
        (s, i) =>
            new aws.ssm.Parameter(
                `${name}-${s.profileName}-profile-parameter`,
                {
                    name: profileParameterName(args.profilesPath, s.profileName),
                    type: "String",
                    tier: "Standard",
                    value: values.apply((all) => all[i]),
                    description: `rolepair: the AWS profile ${s.profileName} on the host ${name}`,
                },
                { parent },
            ),
    );
    return { parameters, profiles: values.apply((all) => all.join("\n")) };
}
