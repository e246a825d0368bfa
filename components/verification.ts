// Runs the verify program on the host after provisioning. Over SSH as pulumi-command's ec2_dir_copy
// example does (poll until SSH and cloud-init are ready, copy the bundle, run it), or through SSM
// Run Command from the operator's machine; either way the report is kept and a failure fails up.
import * as command from "@pulumi/command";
import type { types } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import type { ProofReport } from "../verify/report";
import { buildSsmRunnerCommand, parseVerificationReport, requireProof } from "./verifyCommand";

/** dist/verify.js of this package, built by `npm run build`. */
export const defaultVerifyBundlePath = path.join(__dirname, "..", "dist", "verify.js");

/** Where the bundle lands on the host. */
export const remoteVerifyPath = "/home/ec2-user/rolepair-verify.js";

export function sha256(text: string | Buffer): string {
    return createHash("sha256").update(text).digest("hex");
}

/** Reads the bundle built by `npm run build`; a missing bundle is a clear error, not a late SSH failure. */
export function readVerifyBundle(bundlePath: string): { path: string; hash: string } {
    if (!fs.existsSync(bundlePath)) {
        throw new Error(
            `The verify bundle ${bundlePath} does not exist. Run "npm run build" first, or set verify: false.`,
        );
    }
    return { path: bundlePath, hash: sha256(fs.readFileSync(bundlePath)) };
}

export interface VerificationArgs {
    host: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    bundlePath: string;
    /** The exact command line run on the host (buildVerifyCommand or buildVerifyPlanCommand). */
    command: pulumi.Input<string>;
    /** What the command reads on stdin: the plan, for `--targets -`. */
    stdin?: pulumi.Input<string>;
    /** The policy JSON the proof is about: a change re-runs the proof. */
    policyJson: pulumi.Input<string>[];
    /** Everything the proof depends on: the instance, its profile, the policies. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    instanceId: pulumi.Input<string>;
}

export interface Verification {
    run: command.remote.Command | command.local.Command;
    report: pulumi.Output<ProofReport>;
}

export function createVerification(
    name: string,
    args: VerificationArgs,
    parent: pulumi.Resource,
): Verification {
    const bundle = readVerifyBundle(args.bundlePath);
    const connection: types.input.remote.ConnectionArgs = {
        host: args.host,
        user: "ec2-user",
        privateKey: args.privateKey,
        // A new instance refuses SSH for a while: keep dialling until customTimeouts ends it.
        dialErrorLimit: -1,
        perDialTimeout: 10,
    };
    const policyHashes = pulumi.all(args.policyJson).apply((docs) => docs.map(sha256));

    // Wait for SSH, then for cloud-init to install Node.js and write the AWS profile.
    const ready = new command.remote.Command(
        `${name}-wait-for-host`,
        {
            connection,
            create: "cloud-init status --wait >/dev/null && node --version",
            triggers: [args.instanceId],
        },
        { parent, dependsOn: args.dependsOn, customTimeouts: { create: "15m" } },
    );

    // Copy the bundle; re-copied when the bundle or the instance changes.
    const copy = new command.remote.CopyToRemote(
        `${name}-copy-verify`,
        {
            connection,
            source: new pulumi.asset.FileAsset(bundle.path),
            remotePath: remoteVerifyPath,
            triggers: [bundle.hash, args.instanceId],
        },
        { parent, dependsOn: [ready] },
    );

    // Run the proof. It re-runs when the bundle, the policies or the plan change. The JSON report
    // holds no secrets; a failed proof exits non-zero, which fails `pulumi up` with verify's diagnosis.
    const run = new command.remote.Command(
        `${name}-verify`,
        {
            connection,
            create: args.command,
            ...(args.stdin !== undefined ? { stdin: args.stdin } : {}),
            triggers: [bundle.hash, policyHashes, args.instanceId],
        },
        { parent, dependsOn: [copy], customTimeouts: { create: "10m" } },
    );

    const report = run.stdout.apply((stdout) => requireProof(parseVerificationReport(stdout)));
    return { run, report };
}

/** dist/ssm-runner.js of this package: drives the proof through SSM Run Command, from the operator's machine. */
export const defaultSsmRunnerPath = path.join(__dirname, "..", "dist", "ssm-runner.js");

export interface SsmVerificationArgs {
    instanceId: pulumi.Input<string>;
    region: pulumi.Input<string>;
    /** The plan (verifyPlanJson), sent on the runner's stdin. */
    plan: pulumi.Input<string>;
    propagationTimeoutSeconds: number;
    bundlePath: string;
    runnerPath: string;
    /** The aws provider's profile, when set: a child process does not inherit provider config. */
    awsProfile?: string;
    policyJson: pulumi.Input<string>[];
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The proof without SSH: a local command runs the SSM runner, which waits for the instance to be
 * Online in Systems Manager, delivers the verify bundle in SendCommand parameters (checksum
 * checked on the host), runs it there and prints verify's report with verify's exit code. No
 * inbound port, no forced public address, no key: the channel is AWS's, authenticated by IAM.
 */
export function createSsmVerification(
    name: string,
    args: SsmVerificationArgs,
    parent: pulumi.Resource,
): Verification {
    const bundle = readVerifyBundle(args.bundlePath);
    const runner = readVerifyBundle(args.runnerPath);
    const policyHashes = pulumi.all(args.policyJson).apply((docs) => docs.map(sha256));
    const run = new command.local.Command(
        `${name}-verify-ssm`,
        {
            create: pulumi.all([args.instanceId, args.region]).apply(([instanceId, region]) =>
                buildSsmRunnerCommand({
                    runnerPath: runner.path,
                    instanceId,
                    region,
                    propagationTimeoutSeconds: args.propagationTimeoutSeconds,
                }),
            ),
            stdin: args.plan,
            environment: pulumi.output(args.region).apply((region) => ({
                AWS_REGION: region,
                ...(args.awsProfile !== undefined ? { AWS_PROFILE: args.awsProfile } : {}),
            })),
            triggers: [bundle.hash, runner.hash, policyHashes, args.instanceId],
        },
        { parent, dependsOn: args.dependsOn, customTimeouts: { create: "25m" } },
    );
    const report = run.stdout.apply((stdout) => requireProof(parseVerificationReport(stdout)));
    return { run, report };
}
