// One SSM parameter per service's profile, under the host's own path: a service added, changed or
// removed is a parameter created, updated or deleted, never a change to the instance.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { profileParameterName } from "../contract/profileSync";
import { targetProfileConfig } from "./userData";
import { checkRegion } from "./validation";

/** One service's profile, as the host part knows it. */
export interface ProfileSpec {
    profileName: string;
    roleArn: pulumi.Output<string>;
    externalId?: string;
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
                targetProfileConfig({
                    profileName: s.profileName,
                    targetRoleArn: roleArns[i],
                    region: checkRegion("aws:region", region),
                    externalId: s.externalId,
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
                    value: values.apply((blocks) => blocks[i]),
                    description: `rolepair: the AWS profile ${s.profileName} on the host ${name}`,
                },
                { parent },
            ),
    );
    return { parameters, profiles: values.apply((blocks) => blocks.join("\n")) };
}
