// How the proof reaches the host: one small interface, one file per transport (sshTransport.ts,
// ssmTransport.ts). The host part asks the transport what the host needs before it is created,
// then hands it the host and the plan; a third transport is one new file and one case below.
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { VerifyTarget } from "../contract/plan";
import type { ProofReport } from "../contract/report";
import type { Host, HostSsh } from "./instance";
import type { HostRole } from "./hostIdentity";
import type { ProofTransportSettings } from "./proofSettings";
import { sshTransport } from "./sshTransport";
import { ssmTransport } from "./ssmTransport";

/** What the host part gives a transport to prove with. */
export interface ProofContext {
    host: Host;
    region: pulumi.Output<string>;
    plan: pulumi.Output<VerifyTarget[]>;
    /** The policy JSON and profiles the proof is about: a change re-runs the proof. */
    policyJson: pulumi.Input<string>[];
    /** Everything the proof waits for: the instance, its profile, the policies, the parameters. */
    dependsOn: pulumi.Resource[];
    /** The host's SSM parameter path of profiles: synced on the host before the proof. */
    profilesPath: string;
    /** The profiles as the parameters carry them: a change re-runs the sync. */
    profiles: pulumi.Output<string>;
    /** The sync step also installs (or keeps) the credential agent and the IMDS lock. */
    credentialAgent: boolean;
}

/** What `prove` needs besides the plan to reach the host again (the ProofTarget's transport fields). */
export interface TransportTarget {
    transport: ProofTransportSettings["transport"];
    publicIp?: string;
    sshUser?: string;
    hostKey?: string;
}

export interface TransportProof {
    report: pulumi.Output<ProofReport>;
    target: pulumi.Output<TransportTarget>;
    /** The key that opens SSH on the host, always secret; only a transport over SSH has one. */
    sshPrivateKey?: pulumi.Output<string>;
}

export interface ProofTransport {
    /** SSH access the instance needs (ingress, key pair, public address); absent: none at all. */
    hostSsh?: HostSsh;
    /** Grants on the host role this transport needs before the proof. */
    hostGrants: aws.iam.RolePolicyAttachment[];
    /** An input checked once known (a CIDR from another resource) that also gates hostRoleArn. */
    checkedInput?: pulumi.Input<string>;
    prove(context: ProofContext): TransportProof;
}

export interface TransportScope {
    name: string;
    parent: pulumi.Resource;
    hostRole: HostRole;
    partition: pulumi.Output<string>;
}

export function createProofTransport(
    settings: ProofTransportSettings,
    scope: TransportScope,
): ProofTransport {
    switch (settings.transport) {
        case "ssh":
            return sshTransport(settings, scope);
        case "ssm":
            return ssmTransport(settings, scope);
    }
}
