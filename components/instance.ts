// The EC2 instance of the host: Amazon Linux 2023, IMDSv2 only, encrypted root volume, SSH from one CIDR at most,
// egress to the given TCP ports only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface HostArgs {
    instanceType: string;
    instanceProfileName: pulumi.Input<string>;
    userData: pulumi.Input<string>;
    /** What the instance waits for (the profile parameters and the host's read of them). */
    dependsOn?: pulumi.Resource[];
    httpPutResponseHopLimit: number;
    subnetId?: pulumi.Input<string>;
    /** TCP ports the host may reach, anywhere. */
    egressTcpPorts: number[];
    /** SSH access for verification; absent means no key pair, no ingress rule, no TLS key. */
    ssh?: HostSsh;
}

/** What a transport over SSH needs of the instance. */
export interface HostSsh {
    ingressCidr: pulumi.Input<string>;
    /** Both or neither; neither generates an ED25519 key kept in the (encrypted) state. */
    publicKey?: pulumi.Input<string>;
    privateKey?: pulumi.Input<string>;
}

export interface Host {
    instance: aws.ec2.Instance;
    securityGroup: aws.ec2.SecurityGroup;
    /** The key that opens SSH on the host, always secret. Present only with `ssh`. */
    sshPrivateKey?: pulumi.Output<string>;
}

/** Graviton families (t4g, m7g, c6gn, ...) need the arm64 image. */
export function amiArchitecture(instanceType: string): "arm64" | "x86_64" {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "arm64" : "x86_64";
}

/** AWS's public SSM parameter that always names the latest Amazon Linux 2023 AMI. */
export function al2023AmiParameter(instanceType: string): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${amiArchitecture(instanceType)}`;
}

export function createInstance(name: string, args: HostArgs, parent: pulumi.Resource): Host {
    const opts = { parent };

    const ami = aws.ssm.getParameterOutput({ name: al2023AmiParameter(args.instanceType) }, opts);
    const vpcId = args.subnetId
        ? aws.ec2.getSubnetOutput({ id: args.subnetId }, opts).vpcId
        : aws.ec2.getVpcOutput({ default: true }, opts).id;

    // Inbound only SSH from the operator's CIDR, and only when verifying. Outbound only the given TCP
    // ports (HTTPS by default: dnf's repositories, STS, S3, SSM). DNS (the VPC resolver), NTP (Amazon
    // Time Sync, 169.254.169.123) and IMDS are link-local and need no rule.
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-host-sg`,
        {
            vpcId,
            description:
                "Assume-role host: SSH from one CIDR for verification, egress for AWS APIs",
            ingress: args.ssh
                ? [
                      {
                          protocol: "tcp",
                          fromPort: 22,
                          toPort: 22,
                          cidrBlocks: [args.ssh.ingressCidr],
                          description: "SSH for verification",
                      },
                  ]
                : [],
            egress: args.egressTcpPorts.map((port) => ({
                protocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrBlocks: ["0.0.0.0/0"],
                description: port === 443 ? "HTTPS: AWS APIs and packages" : `TCP ${port}`,
            })),
        },
        opts,
    );

    const key = args.ssh ? createKeyPair(name, args.ssh, parent) : undefined;
    const keyName = key?.keyName;
    const sshPrivateKey = key?.privateKey;

    // IMDSv2 only, with a hop limit of 1 by default so containers on the host cannot reach it.
    const instance = new aws.ec2.Instance(
        `${name}-host`,
        {
            ami: ami.value,
            instanceType: args.instanceType,
            iamInstanceProfile: args.instanceProfileName,
            subnetId: args.subnetId,
            vpcSecurityGroupIds: [securityGroup.id],
            associatePublicIpAddress: args.ssh ? true : undefined,
            keyName,
            userData: args.userData,
            metadataOptions: {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: args.httpPutResponseHopLimit,
            },
            rootBlockDevice: { encrypted: true, volumeType: "gp3" },
            tags: { Name: `${name}-host` },
        },
        // The AMI parameter names the latest Amazon Linux 2023, which AWS republishes every few
        // weeks; following it would replace the host (new address, new keys, a lost dev box) on
        // some later `pulumi up`. A new host gets the latest; `pulumi up --replace` moves to it.
        // userData is frozen at creation: changing it on a running instance means a stop and start
        // (or, with userDataReplaceOnChange, a new host). What runs on the host is upgraded by the
        // deploying side instead: the sync step (contract/profileSync.ts profileSyncNow) runs the
        // installer before every proof and `npm run prove` does the same, so a fix reaches existing
        // hosts without touching the instance.
        { ...opts, dependsOn: args.dependsOn, ignoreChanges: ["ami", "userData"] },
    );

    return { instance, securityGroup, sshPrivateKey };
}

/** The key pair that opens SSH on the host: the operator's, or one generated for this stack. */
function createKeyPair(
    name: string,
    ssh: HostSsh,
    parent: pulumi.Resource,
): { keyName: pulumi.Output<string>; privateKey: pulumi.Output<string> } {
    let publicKey: pulumi.Input<string>;
    let privateKey: pulumi.Output<string>;
    if (ssh.publicKey !== undefined && ssh.privateKey !== undefined) {
        publicKey = ssh.publicKey;
        privateKey = pulumi.secret(ssh.privateKey);
    } else {
        // A throwaway key generated for this stack; it lives only in the (encrypted) state.
        const generated = new tls.PrivateKey(
            `${name}-ssh-key`,
            { algorithm: "ED25519" },
            { parent, additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem"] },
        );
        publicKey = generated.publicKeyOpenssh;
        privateKey = pulumi.secret(generated.privateKeyOpenssh);
    }
    const keyName = new aws.ec2.KeyPair(`${name}-key-pair`, { publicKey }, { parent }).keyName;
    return { keyName, privateKey };
}
