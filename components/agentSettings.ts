// The credential agent's settings: whether the host runs it and who may use each service's token.
// Kept together so the agent's rules read in one place: it runs only where the proof's sync step
// installs it, and users are named only when it runs.
import type { AgentAccess } from "../contract/credentialAgent";
import { checkAgentServiceName, checkAgentUsers, checkBoolean, InputError } from "./validation";

/** The users allowed a service's token when the credential agent is on and none are named. */
export const defaultAgentUsers: readonly string[] = ["ec2-user"];

/**
 * Who may use a service's agent token: undefined when the agent is off (and then no users may be
 * named), else the users named (default defaultAgentUsers). The service's name must then fit its
 * Unix group. The inputs' names are the caller's (a pair's `awsProfileName`, a service's path).
 */
export function validateAgentAccess(
    credentialAgent: boolean,
    service: { nameInput: string; name: string; usersInput: string; users: unknown },
): AgentAccess | undefined {
    if (!credentialAgent) {
        if (service.users !== undefined) {
            throw new InputError(
                service.usersInput,
                service.users,
                "nothing with credentialAgent false: only the agent gives a service's token to users (remove it, or set credentialAgent true)",
            );
        }
        return undefined;
    }
    checkAgentServiceName(service.nameInput, service.name);
    return { users: checkAgentUsers(service.usersInput, service.users ?? defaultAgentUsers) };
}

/**
 * Whether the credential agent serves the services (default false): only with the proof, since
 * the proof's sync step (over SSH or SSM) is what installs it.
 */
export function checkCredentialAgent(value: unknown, verify: boolean): boolean {
    const credentialAgent = checkBoolean("credentialAgent", value ?? false);
    if (credentialAgent && !verify) {
        // The agent, its units and the IMDS lock reach the host through the proof's sync step
        // only (the user data stays constant): without the proof nothing would install them.
        throw new InputError(
            "credentialAgent",
            credentialAgent,
            "false with verify false: the agent is installed on the host by the proof's sync step, so it needs verify true",
        );
    }
    return credentialAgent;
}
