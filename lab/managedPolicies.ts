// AWS managed policies the components attach, as AWS publishes them, so the IAM simulator judges
// the host role with everything it holds. Source: AWS Managed Policy reference,
// "AmazonSSMManagedInstanceCore", policy version v2 (default), edited 2019-05-23.
export const managedPolicies: Record<string, { Version: string; Statement: unknown[] }> = {
    AmazonSSMManagedInstanceCore: {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "ssm:DescribeAssociation",
                    "ssm:GetDeployablePatchSnapshotForInstance",
                    "ssm:GetDocument",
                    "ssm:DescribeDocument",
                    "ssm:GetManifest",
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:ListAssociations",
                    "ssm:ListInstanceAssociations",
                    "ssm:PutInventory",
                    "ssm:PutComplianceItems",
                    "ssm:PutConfigurePackageResult",
                    "ssm:UpdateAssociationStatus",
                    "ssm:UpdateInstanceAssociationStatus",
                    "ssm:UpdateInstanceInformation",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: [
                    "ec2messages:AcknowledgeMessage",
                    "ec2messages:DeleteMessage",
                    "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint",
                    "ec2messages:GetMessages",
                    "ec2messages:SendReply",
                ],
                Resource: "*",
            },
        ],
    },
};

/** The managed policy an attachment names, by its ARN's name (any partition); throws if unknown. */
export function managedPolicyDocument(policyArn: string) {
    const match = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(policyArn);
    const doc = match ? managedPolicies[match[1]] : undefined;
    if (!doc) {
        throw new Error(
            `no document for managed policy ${policyArn}: add it to managedPolicies.ts`,
        );
    }
    return doc;
}
