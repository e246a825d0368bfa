// The proof over SSH, as pulumi-command's ec2_dir_copy example does it: poll until SSH and
// cloud-init are ready, copy the bundle, sync the profiles, run the proof; the host's key pinned
// throughout, the report kept, and a failure failing `pulumi up`.
import * as command from "@pulumi/command";
import type { types } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import { planProfiles } from "../contract/plan";
import { profileSyncNow, profileSyncRemoteCommand } from "../contract/profileSync";
import { operatorEnvironment, readVerifyBundle, sha256 } from "./bundles";
import { buildHostKeyCommand, buildVerifyPlanCommand, verifyPlanJson } from "./commandLines";
import type { ProofReport } from "../contract/report";
import type { ProofContext, ProofTransport, TransportScope } from "./proofTransport";
import { parseVerificationReport, requireProof } from "./proofReport";
import type { SshProofSettings } from "./proofSettings";

/** Where the bundle lands on the host. */
export const remoteVerifyPath = "/home/ec2-user/rolepair-verify.js";

/** The user the proof connects as (Amazon Linux 2023's). */
const sshUser = "ec2-user";

export function sshTransport(settings: SshProofSettings, scope: TransportScope): ProofTransport {
    const { name, parent } = scope;
    return {
        hostSsh: {
            ingressCidr: settings.ingressCidr,
            publicKey: settings.publicKey,
            privateKey: settings.privateKey,
        },
        hostGrants: [],
        checkedInput: settings.ingressCidr,
        prove(context: ProofContext) {
            const { instance, sshPrivateKey } = context.host;
            if (sshPrivateKey === undefined) {
                throw new Error("unreachable: a host reached over SSH has a key");
            }
            const hostKey =
                settings.hostKey ??
                readHostKey(
                    `${name}-host-key`,
                    {
                        instanceId: instance.id,
                        region: context.region,
                        readerPath: settings.hostKeyReaderPath,
                        awsProfile: settings.awsProfile,
                    },
                    { parent, dependsOn: [instance] },
                );
            const connection: types.input.remote.ConnectionArgs = {
                host: instance.publicIp,
                user: sshUser,
                privateKey: sshPrivateKey,
                // Only this key is accepted (pulumi-command refuses any other with "host key mismatch").
                hostKey,
                // The key is on the console only once cloud-init's last stage ran, long after sshd
                // started: a dial that still fails is a refused key or a blocked port, said within
                // minutes rather than at the end of customTimeouts.
                dialErrorLimit: 30,
                perDialTimeout: 10,
            };
            const report = proveOverSsh(name, settings, context, connection, parent);
            return {
                report,
                target: pulumi.all([instance.publicIp, hostKey]).apply(([publicIp, key]) => ({
                    transport: settings.transport,
                    publicIp,
                    sshUser,
                    hostKey: key,
                })),
                sshPrivateKey,
            };
        },
    };
}

function proveOverSsh(
    name: string,
    settings: SshProofSettings,
    context: ProofContext,
    connection: types.input.remote.ConnectionArgs,
    parent: pulumi.Resource,
): pulumi.Output<ProofReport> {
    const bundle = readVerifyBundle(settings.bundlePath);
    const instanceId = context.host.instance.id;
    const plan = context.plan.apply(verifyPlanJson);
    const policyHashes = pulumi
        .all([...context.policyJson, plan])
        .apply((docs) => docs.map(sha256));

    // Wait for SSH, then for cloud-init to install Node.js and the profile sync.
    const ready = new command.remote.Command(
        `${name}-wait-for-host`,
        {
            connection,
            create: "cloud-init status --wait >/dev/null && node --version",
            triggers: [instanceId],
        },
        { parent, dependsOn: context.dependsOn, customTimeouts: { create: "15m" } },
    );

    // Copy the bundle; re-copied when the bundle or the instance changes.
    const copy = new command.remote.CopyToRemote(
        `${name}-copy-verify`,
        {
            connection,
            source: new pulumi.asset.FileAsset(bundle.path),
            remotePath: remoteVerifyPath,
            triggers: [bundle.hash, instanceId],
        },
        { parent, dependsOn: [ready] },
    );

    // The profiles on the host now, before the proof: the sync's timer would get there within a
    // minute, but the proof must see what this `pulumi up` deployed, and only that: the plan's
    // profiles (a removed service's parameter is deleted after the proof; profileSyncNow). Runs
    // again when a profile or the sync changes, and so installs a newer sync on an existing host.
    // After the copy, so that the proof starts right after it, well within the timer's minute.
    // With the agent on, the same step installs it; off, the script is what it always was.
    const syncScript = context.plan.apply((targets) =>
        profileSyncNow(context.profilesPath, {
            profiles: planProfiles(targets),
            ...(context.credentialAgent ? { credentialAgent: true } : {}),
        }),
    );
    const sync = new command.remote.Command(
        `${name}-sync-profiles`,
        {
            connection,
            create: profileSyncRemoteCommand,
            stdin: syncScript,
            triggers: [syncScript.apply(sha256), context.profiles.apply(sha256), instanceId],
        },
        { parent, dependsOn: [ready, copy], customTimeouts: { create: "5m" } },
    );

    // Run the proof. It re-runs when the bundle, the policies or the plan change. The JSON report
    // holds no secrets; a failed proof exits non-zero, which fails `pulumi up` with verify's diagnosis.
    const run = new command.remote.Command(
        `${name}-verify`,
        {
            connection,
            create: context.region.apply((region) =>
                buildVerifyPlanCommand({
                    scriptPath: remoteVerifyPath,
                    region,
                    propagationTimeoutSeconds: settings.propagationTimeoutSeconds,
                }),
            ),
            stdin: plan,
            triggers: [bundle.hash, policyHashes, instanceId],
        },
        { parent, dependsOn: [copy, sync], customTimeouts: { create: "10m" } },
    );
    return run.stdout.apply((stdout) => requireProof(parseVerificationReport(stdout)));
}

export interface HostKeyArgs {
    instanceId: pulumi.Input<string>;
    region: pulumi.Input<string>;
    readerPath: string;
    awsProfile?: string;
}

/**
 * The host's SSH key, to pin. Without a pinned key, anyone who can answer on the host's address
 * (a network attacker, or whoever holds the address next) could answer the proof in its place.
 * The key must reach us by a channel such a party cannot forge. The instance's console output is
 * one: cloud-init writes the host's public keys there on first boot, and we read it back through
 * EC2's signed API with the deployer's credentials. Read again only when the instance changes.
 */
export function readHostKey(
    name: string,
    args: HostKeyArgs,
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
    const reader = readVerifyBundle(args.readerPath);
    const read = new command.local.Command(
        name,
        {
            create: pulumi
                .all([args.instanceId, args.region])
                .apply(([instanceId, region]) =>
                    buildHostKeyCommand({ readerPath: reader.path, instanceId, region }),
                ),
            environment: operatorEnvironment(args.region, args.awsProfile),
            triggers: [args.instanceId],
        },
        // The reader waits up to 15 minutes: older instance types post their console late.
        { ...opts, customTimeouts: { create: "20m" } },
    );
    return read.stdout.apply((line) => line.trim());
}
