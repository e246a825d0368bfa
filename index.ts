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

/** One host, one target role: the walkthrough's development setup. */
function pairStack(config: StackConfig) {
    const pair = new AssumableRolePair("rolepair", config);
    return {
        hostRoleArn: pair.hostRoleArn,
        targetRoleArn: pair.targetRoleArn,
        bucketName: pair.bucketName,
        instanceId: pair.instanceId,
        publicIp: pair.publicIp,
        awsProfileName: pair.awsProfileName,
        verification: pair.verification,
        proofTarget: pair.proofTarget,
        sshPrivateKey: pair.sshPrivateKey,
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

/** One host, several services, each with its own role, bucket and AWS profile. */
function servicesStack(config: StackConfig & { services: NonNullable<StackConfig["services"]> }) {
    // sessionName only labels the pair's assume-role line; the rest is the host's and services'.
    const { services, sessionName, ...host } = config;
    void sessionName;
    const args = { ...host, services };
    // Errors name the config path (rolepair:services[1].bucketName) before anything is created.
    validateSharedDevHostArgs(args, (_service, i) => `${pulumi.getProject()}:services[${i}].`);
    const shared = new SharedDevHost("rolepair", args);
    return {
        hostRoleArn: shared.hostRoleArn,
        services: shared.services,
        instanceId: shared.instanceId,
        publicIp: shared.publicIp,
        verification: shared.verification,
        proofTarget: shared.proofTarget,
        sshPrivateKey: shared.sshPrivateKey,
    };
}

const config = readStackConfig();
export = config.services
    ? servicesStack({ ...config, services: config.services })
    : pairStack(config);
