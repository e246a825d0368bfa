// The checks a services file's entries must pass: the shared contract rules, so that a value the
// components and the profile sync accept is the value the agent accepts.
import { externalIdRule, regionRule, roleArnRule, serviceNameRule } from "../../../contract/rules";

export { minimumTokenLength } from "../../../contract/credentialAgent";

/** A service name: what the host's Unix group and the session names carry. */
export const serviceNamePattern = serviceNameRule.pattern;

export const roleArnPattern = roleArnRule.pattern;

export const externalIdPattern = externalIdRule.pattern;

export const regionPattern = regionRule.pattern;

/** STS's RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
export function sessionName(host: string, service: string): string {
    const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, "-");
    const name = `rolepair-${clean(host)}`.slice(0, 63 - service.length) + `-${clean(service)}`;
    return name.slice(0, 64);
}
