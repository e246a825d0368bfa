// The stack program: read config, build an AssumableRolePair (dev, root-trust) or a SharedDevHost
// (services), export what an operator needs.
import * as pulumi from "@pulumi/pulumi";

import {
    AssumableRolePair,
    buildAssumeRoleCommand,
    readStackConfig,
    SharedDevHost,
    StackConfig,
    validateSharedDevHostArgs,
} from "./components";

/**
 * What both stacks export about their host, under the same names: prove reads proofTarget and
 * sshPrivateKey (and an operator the rest) whichever stack it is given.
 */
function hostOutputs(host: AssumableRolePair | SharedDevHost) {
    return {
        hostRoleArn: host.hostRoleArn,
        instanceId: host.instanceId,
        publicIp: host.publicIp,
        verification: host.verification,
        proofTarget: host.proofTarget,
        sshPrivateKey: host.sshPrivateKey,
    };
}

/** One host, one target role: the walkthrough's development setup. */
function pairStack(config: StackConfig) {
    const pair = new AssumableRolePair("rolepair", config);
    return {
        ...hostOutputs(pair),
        targetRoleArn: pair.targetRoleArn,
        bucketName: pair.bucketName,
        awsProfileName: pair.awsProfileName,
        /** credentialAgent only: the environment, systemd drop-in and compose fragment of the target role. */
        agent: pair.agent,
        /** Paste on the host to assume the target role by hand, as the walkthrough does. */
        assumeRoleCommand: pair.targetRoleArn.apply((roleArn) =>
            buildAssumeRoleCommand({
                roleArn,
                sessionName: config.sessionName,
                externalId: config.externalId,
            }),
        ),
    };
}

/**
 * One host, several services, each with its own role, bucket and AWS profile (and, with the
 * credential agent on, services.<name>.agent).
 */
function servicesStack(config: StackConfig & { services: NonNullable<StackConfig["services"]> }) {
    // sessionName only labels the pair's assume-role line; the rest is the host's and services'.
    const { services, sessionName, ...host } = config;
    void sessionName;
    const args = { ...host, services };
    // Errors name the config path (rolepair:services[1].bucketName) before anything is created.
    validateSharedDevHostArgs(args, (_service, i) => `${pulumi.getProject()}:services[${i}].`);
    const shared = new SharedDevHost("rolepair", args);
    return { ...hostOutputs(shared), services: shared.services };
}

const config = readStackConfig();
export = config.services
    ? servicesStack({ ...config, services: config.services })
    : pairStack(config);
