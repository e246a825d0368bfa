// The credential agent's side of the wire contract: where its pieces live on the host, the names
// of its Unix groups and units, and what a service's processes are given to reach it. The
// components, the host's profile sync, the agent and the proof all read them from here.
import { localUserRule, ruleProblem, type Rule } from "./rules";

/** The link-local address the agent adds to `lo` and listens on, as EKS Pod Identity's does. */
export const agentAddress = "169.254.170.23";
export const agentPort = 80;
/** What AWS_CONTAINER_CREDENTIALS_FULL_URI holds: the SDKs accept this host over plain HTTP. */
export const agentCredentialsUrl = `http://${agentAddress}/v1/credentials`;

/** The agent's system user: with root, the only UID the IMDS lock lets reach 169.254.169.254. */
export const agentUser = "rolepair-agent";

export const agentProgramPath = "/usr/local/lib/rolepair/credential-agent.js";
export const imdsLockPath = "/usr/local/lib/rolepair/imds-lock.nft";
export const agentUnit = "rolepair-credential-agent";
export const imdsLockUnit = "rolepair-imds-lock";
/** The nftables table the lock's file declares and its unit's stop deletes. */
export const imdsLockTable = "rolepair_imds";

/** The services file the profile sync writes (replaced by rename) and the agent watches. */
export const agentServicesFile = "/etc/rolepair/agent/services.json";
export const agentTokenDirectory = "/etc/rolepair/agent/tokens";

/** Random bytes in a token: 256 bits, written as 64 hex characters. */
export const tokenBytes = 32;
/** The fewest characters a token file may hold (128 bits as base64url is 22). */
export const minimumTokenLength = 22;

/** At most this many local users per service. */
export const maxAgentUsers = 16;

/** Linux limits a group name to 32 characters; `rolepair-` leaves 23 for the service's name. */
const groupPrefix = "rolepair-";

/**
 * A service served by the agent: its name becomes its Unix group's, so it must fit in one, and
 * must not be `agent`: rolepair-agent is the agent's own user and group, which holds the services
 * file (its members would read every role ARN and ExternalId).
 */
export const agentServiceNameRule: Rule = {
    pattern: /^(?!agent$)[a-z0-9](?:[a-z0-9-]{0,21}[a-z0-9])?$/,
    accepted:
        "1 to 23 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen, and not agent (with the credential agent on, the name is the Unix group rolepair-<name>, Linux caps a group name at 32, and rolepair-agent is the agent's own)",
};

/** Who on the host may use a service's token: the members of its group (root always can). */
export interface AgentAccess {
    /** Local Unix users put in the service's group. The host creates no user: they must exist. */
    readonly users: readonly string[];
}

/** The Unix group whose members may read the service's token file. */
export function agentGroupName(service: string): string {
    return `${groupPrefix}${service}`;
}

/** The service's token file on the host: readable by its group and the agent's user only. */
export function agentTokenFile(service: string): string {
    return `${agentTokenDirectory}/${service}`;
}

/** The two variables that make every AWS SDK and the CLI get the service's role from the agent. */
export function agentEnvironment(service: string): Record<string, string> {
    return {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: agentCredentialsUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: agentTokenFile(service),
    };
}

/**
 * The profile's credential_process in agent mode: the agent's own program reads the user's token
 * file and asks the agent, so AWS_PROFILE keeps working for the users allowed the service.
 */
export function agentCredentialProcess(service: string): string {
    return `/usr/local/bin/node ${agentProgramPath} --print-credentials --token-file ${agentTokenFile(service)}`;
}

/** Why `access` is not a valid AgentAccess, naming the element; undefined when it is. */
export function agentAccessProblem(access: unknown): string | undefined {
    if (typeof access !== "object" || access === null || Array.isArray(access)) {
        return 'expected an object {"users": [...]}';
    }
    const keys = Object.keys(access);
    const extra = keys.find((k) => k !== "users");
    if (extra !== undefined) return `unknown key ${JSON.stringify(extra)}; accepted: users`;
    const users = (access as { users?: unknown }).users;
    if (!Array.isArray(users)) return "users: expected a list of Unix user names";
    if (users.length > maxAgentUsers) {
        return `users: ${users.length} names; expected at most ${maxAgentUsers}`;
    }
    const seen = new Set<string>();
    for (const [i, user] of users.entries()) {
        const problem = ruleProblem(localUserRule, user);
        if (problem !== undefined) {
            return `users[${i}] ${JSON.stringify(user)?.slice(0, 40)}: expected ${problem}`;
        }
        if (seen.has(user as string)) return `users[${i}] ${JSON.stringify(user)}: named twice`;
        seen.add(user as string);
    }
    return undefined;
}
