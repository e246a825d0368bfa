"""The walkthrough's three services on one shared host, and one assumable role pair, from Python.

Before `pulumi up`: `pulumi package add ../../pulumi-package` generates the `pulumi_rolepair` SDK
used here (see README.md).
"""

import pulumi
import pulumi_rolepair as rolepair

config = pulumi.Config()
ssh_ingress_cidr = config.require("sshIngressCidr")

# One host; each service gets its own role and its own private bucket, and the proof shows the
# host role denied every bucket and each service reaching only its own.
services = rolepair.SharedDevHost(
    "services",
    services={
        "service-a": rolepair.SharedServiceArgs(),
        "service-b": rolepair.SharedServiceArgs(
            object_actions=[rolepair.ObjectAction.GET_OBJECT, rolepair.ObjectAction.PUT_OBJECT],
        ),
        "service-c": rolepair.SharedServiceArgs(
            trust_mode=rolepair.TrustMode.ACCOUNT_ROOT,
            max_session_duration=7200,
        ),
    },
    ssh_ingress_cidr=ssh_ingress_cidr,
)

# A host role that can only assume one target role, which alone reaches its bucket.
pair = rolepair.AssumableRolePair(
    "pair",
    trust_mode=rolepair.TrustMode.ROLE,
    aws_profile_name="target",
    ssh_ingress_cidr=ssh_ingress_cidr,
)

pulumi.export("hostRoleArn", services.host_role_arn)
pulumi.export("services", services.services)
pulumi.export("servicesProof", services.verification.apply(lambda report: report and report.ok))
pulumi.export("pairHostRoleArn", pair.host_role_arn)
pulumi.export("targetRoleArn", pair.target_role_arn)
pulumi.export("bucketName", pair.bucket_name)
