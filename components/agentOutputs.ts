// What a service's processes are given to reach the credential agent, as text to paste: the two
// variables every AWS SDK and the CLI read (EKS Pod Identity's), a systemd drop-in that sets them,
// and a docker-compose service fragment that sets them and mounts the token file read-only at the
// same path. Pure builders from the service's name: the token itself is made on the host and is in
// none of them.
import {
    agentEnvironment,
    agentGroupName,
    agentTokenFile,
    type AgentAccess,
} from "../contract/credentialAgent";

/** A service's way to its role through the credential agent, with no code change. */
export interface ServiceAgent {
    /** AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: set them and the SDKs and the CLI get the service's role from the agent. */
    environment: Record<string, string>;
    /** The token file on the host (made there, readable by root, the agent and the group's members). */
    tokenFile: string;
    /** The service's Unix group on the host: its members may read the token file. */
    group: string;
    /** The local users the host puts in the group. */
    users: string[];
    /** A systemd drop-in (e.g. /etc/systemd/system/<unit>.service.d/rolepair.conf) that gives a unit the service's role; the unit's User= must be one of users (or root). */
    systemdDropIn: string;
    /** A docker-compose service fragment (YAML, to merge under services.<name>): the variables, and the token file mounted read-only at the same path. The container's user must be root or in the group (group_add with the group's id on the host). */
    composeService: string;
}

/** The drop-in's text: one Environment= line per variable. */
export function agentSystemdDropIn(service: string): string {
    const lines = Object.entries(agentEnvironment(service)).map(
        ([key, value]) => `Environment=${key}=${value}`,
    );
    return ["[Service]", ...lines, ""].join("\n");
}

/**
 * The compose fragment's text. Every value is a fixed URL or a path under the agent's token
 * directory made of a checked service name (agentServiceNameRule), so none needs YAML quoting.
 */
export function agentComposeService(service: string): string {
    const file = agentTokenFile(service);
    const variables = Object.entries(agentEnvironment(service)).map(
        ([key, value]) => `  ${key}: ${value}`,
    );
    return ["environment:", ...variables, "volumes:", `  - ${file}:${file}:ro`, ""].join("\n");
}

/** Everything a service with the agent on is given. */
export function agentServiceOutput(service: string, access: AgentAccess): ServiceAgent {
    return {
        environment: agentEnvironment(service),
        tokenFile: agentTokenFile(service),
        group: agentGroupName(service),
        users: [...access.users],
        systemdDropIn: agentSystemdDropIn(service),
        composeService: agentComposeService(service),
    };
}
