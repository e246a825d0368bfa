// The default AWS provider's region, checked before the components create anything: a bad one
// reaches the host's user data and profiles and would otherwise fail the deploy halfway.
import * as pulumi from "@pulumi/pulumi";

import { checkRegion } from "./validation";

/**
 * The default AWS provider's region, checked before any resource is created: it reaches the
 * host's user data and its profiles, and a bad one would otherwise fail the deploy halfway, in an
 * apply. That provider takes aws:region, else AWS_REGION, else AWS_DEFAULT_REGION. An explicit
 * provider's region is known only once it answers; it is checked then, before any profile.
 */
export function checkDefaultProviderRegion(
    parent: pulumi.Resource,
    env: NodeJS.ProcessEnv = process.env,
): void {
    if (parent.getProvider("aws:index:region") !== undefined) return;
    const sources: [string, string | undefined][] = [
        ["aws:region", new pulumi.Config("aws").get("region")],
        ["AWS_REGION", env.AWS_REGION],
        ["AWS_DEFAULT_REGION", env.AWS_DEFAULT_REGION],
    ];
    const given = sources.find(([, value]) => value !== undefined && value !== "");
    if (given !== undefined) checkRegion(given[0], given[1]);
}
