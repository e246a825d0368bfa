// The stack program: read config, build one AssumableRolePair, export what an operator needs.

import { AssumableRolePair, readStackConfig, shellQuote } from "./components";

const config = readStackConfig();
const pair = new AssumableRolePair("rolepair", config);

export const hostRoleArn = pair.hostRoleArn;
export const targetRoleArn = pair.targetRoleArn;
export const bucketName = pair.bucketName;
export const instanceId = pair.instanceId;
export const publicIp = pair.publicIp;
export const awsProfileName = pair.awsProfileName;
export const verification = pair.verification;

/** Paste on the host to assume the target role by hand, as the seed's walkthrough does. */
export const assumeRoleCommand = pair.targetRoleArn.apply((arn) =>
    [
        "aws sts assume-role",
        `--role-arn ${arn}`,
        `--role-session-name ${config.sessionName}`,
        ...(config.externalId !== undefined
            ? [`--external-id ${shellQuote(config.externalId)}`]
            : []),
    ].join(" "),
);
