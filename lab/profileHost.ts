// A host's profile delivery inside moto: its parameters (written as the component writes them),
// the host role's read of its own path (the component's policy builder), and the sync program
// installed into a temporary root and run as the systemd unit would, with the AWS CLI from the
// project's .venv (scripts/setup-test-tools.sh awscli) standing in for the one AL2023 ships.
import { PutRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import * as fs from "fs";
import * as path from "path";

import { hostProfilesReadPolicy } from "../components/policies";
import { profileParameterValue, type HostProfile } from "../contract/profileParameters";
import {
    profileParameterName,
    profileSyncArgs,
    profileSyncInstaller,
    profileSyncProgramPath,
} from "../contract/profileSync";
import { defaultObjectActions } from "../components/validation";
import type { VerifyTarget } from "../contract/plan";
import { makeTempDir, removeTempDir } from "./cleanup";
import { Imds, startImds } from "./imds";
import { Moto, region, startMoto } from "./moto";
import { createScenario, type Scenario } from "./scenario";
import { runProcess, type ProcessResult } from "./verifyProcess";

export const venvBin = path.join(__dirname, "..", ".venv", "bin");

export function requireAwsCli(): void {
    if (!fs.existsSync(path.join(venvBin, "aws"))) {
        throw new Error(`${venvBin}/aws is missing: run "bash scripts/setup-test-tools.sh awscli"`);
    }
}

/**
 * Lets the host role read profiles with the component's policy builder. Where moto differs from
 * AWS (moto 5.2.5, enforcement on): it authorizes SSM requests against Resource "*" (it does not
 * work out which path a request names), so a statement scoped to one path never matches there.
 * The fixture therefore grants the builder's statement on "*"; that the real statement allows
 * exactly this host's path and no other is asserted by the IAM simulator (test/policy).
 */
export async function grantProfilesRead(moto: Moto, hostRoleName: string) {
    const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    await iam.send(
        new PutRolePolicyCommand({
            RoleName: hostRoleName,
            PolicyName: "read-profiles",
            PolicyDocument: JSON.stringify(hostProfilesReadPolicy("*")),
        }),
    );
}

/** Writes (or overwrites) one profile's parameter, as the component's aws.ssm.Parameter does. */
export async function putProfile(moto: Moto, profilesPath: string, profile: HostProfile) {
    const ssm = new SSMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    await ssm.send(
        new PutParameterCommand({
            Name: profileParameterName(profilesPath, profile.name),
            Type: "String",
            Value: profileParameterValue(profile),
            Overwrite: true,
        }),
    );
}

export async function putRawParameter(moto: Moto, name: string, value: string) {
    const ssm = new SSMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    await ssm.send(
        new PutParameterCommand({ Name: name, Type: "String", Value: value, Overwrite: true }),
    );
}

export async function deleteProfile(moto: Moto, profilesPath: string, profileName: string) {
    const ssm = new SSMClient({ endpoint: moto.endpoint, region, credentials: moto.admin });
    await ssm.send(
        new DeleteParameterCommand({ Name: profileParameterName(profilesPath, profileName) }),
    );
}

/**
 * The environment of the agent on the host: no AWS key anywhere, credentials and region only from
 * the IMDSv2 double, AWS through AWS_ENDPOINT_URL; ROLEPAIR_HOST_ROOT and ROLEPAIR_HOST_HOME put
 * / and /home/ec2-user in temporary directories.
 */
export function agentEnv(
    moto: Moto,
    imdsEndpoint: string,
    root: string,
    home: string,
): NodeJS.ProcessEnv {
    return {
        PATH: `${venvBin}:${process.env.PATH}`,
        HOME: home,
        ROLEPAIR_HOST_ROOT: root,
        ROLEPAIR_HOST_HOME: home,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
        AWS_EC2_METADATA_V1_DISABLED: "true",
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_CONFIG_FILE: path.join(root, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(root, "no-aws-credentials"),
    };
}

/** A temporary / for the installer. */
export function makeHostRoot(): string {
    return makeTempDir("rolepair-root-");
}

/** Runs the installer (as the user data and the deploying side do), with / in `root`. */
export function installAgent(env: NodeJS.ProcessEnv, profilesPath: string): Promise<ProcessResult> {
    return runProcess("bash", ["-c", profileSyncInstaller(profilesPath)], env);
}

/** One run of the installed program, as `systemctl start rolepair-profiles.service` would. */
export function runAgent(env: NodeJS.ProcessEnv, profilesPath: string): Promise<ProcessResult> {
    const program = path.join(env.ROLEPAIR_HOST_ROOT as string, profileSyncProgramPath);
    const configFile = path.join(env.ROLEPAIR_HOST_HOME as string, ".aws", "config");
    return runProcess(
        process.execPath,
        [program, ...profileSyncArgs(profilesPath, configFile)],
        env,
    );
}

/** A proven-to-be-correct pair in moto whose host syncs its one profile ("target") from SSM. */
export interface ProfiledHost {
    moto: Moto;
    scenario: Scenario;
    imds: Imds;
    /** The host's stand-in for / (ROLEPAIR_HOST_ROOT). */
    root: string;
    /** What the component would export: one service, proved through its profile. */
    plan: VerifyTarget[];
    stop(): Promise<void>;
}

/** moto, a correct scenario, the read permission, the profile's parameter, the IMDSv2 double. */
export async function startProfiledHost(profilesPath: string): Promise<ProfiledHost> {
    requireAwsCli();
    const moto = await startMoto();
    const scenario = await createScenario(moto, "correct");
    await grantProfilesRead(moto, scenario.hostRoleName);
    await putProfile(moto, profilesPath, {
        name: "target",
        roleArn: scenario.targetRoleArn,
        region,
    });
    const imds = await startImds(scenario.hostRoleName, scenario.hostCredentials, region);
    const root = makeHostRoot();
    return {
        moto,
        scenario,
        imds,
        root,
        plan: [
            {
                name: "target",
                roleArn: scenario.targetRoleArn,
                bucket: scenario.bucket,
                objectActions: [...defaultObjectActions],
                profile: "target",
            },
        ],
        stop: async () => {
            await imds.stop();
            await moto.stop();
            removeTempDir(root);
        },
    };
}
