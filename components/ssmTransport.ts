// The proof over SSM Run Command: a local command runs the SSM runner, which waits for the
// instance to be Online in Systems Manager, delivers the verify bundle in SendCommand parameters
// (checksum checked on the host), syncs the profiles, runs verify there and prints its report with
// its exit code. No inbound port, no forced public address, no key: the channel is AWS's,
// authenticated by IAM.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import { operatorEnvironment, readVerifyBundle, sha256 } from "./bundles";
import { buildSsmRunnerCommand, verifyPlanJson } from "./commandLines";
import { attachSsmAgentPolicy } from "./hostIdentity";
import type { ProofContext, ProofTransport, TransportScope } from "./proofTransport";
import { parseVerificationReport, requireProof } from "./proofReport";
import type { SsmProofSettings } from "./proofSettings";

export function ssmTransport(settings: SsmProofSettings, scope: TransportScope): ProofTransport {
    const { name, parent } = scope;
    const ssmCore = attachSsmAgentPolicy(name, scope.hostRole, scope.partition, parent);
    return {
        hostGrants: [ssmCore],
        prove(context: ProofContext) {
            const bundle = readVerifyBundle(settings.bundlePath);
            const runner = readVerifyBundle(settings.runnerPath);
            const plan = context.plan.apply(verifyPlanJson);
            const policyHashes = pulumi
                .all([...context.policyJson, plan])
                .apply((docs) => docs.map(sha256));
            const instanceId = context.host.instance.id;
            const run = new command.local.Command(
                `${name}-verify-ssm`,
                {
                    create: pulumi.all([instanceId, context.region]).apply(([id, region]) =>
                        buildSsmRunnerCommand({
                            runnerPath: runner.path,
                            instanceId: id,
                            region,
                            propagationTimeoutSeconds: settings.propagationTimeoutSeconds,
                            profilesPath: context.profilesPath,
                            credentialAgent: context.credentialAgent,
                        }),
                    ),
                    stdin: plan,
                    environment: operatorEnvironment(context.region, settings.awsProfile),
                    triggers: [bundle.hash, runner.hash, policyHashes, instanceId],
                },
                {
                    parent,
                    dependsOn: [...context.dependsOn, ssmCore],
                    customTimeouts: { create: "25m" },
                },
            );
            return {
                report: run.stdout.apply((stdout) => requireProof(parseVerificationReport(stdout))),
                target: pulumi.output({ transport: settings.transport }),
            };
        },
    };
}
