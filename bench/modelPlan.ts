// The latency model's plans: N services of one account, each with its role and its bucket, as the
// AWS double (awsDouble.ts) is told to serve them.

export const modelAccount = "123456789012";

export function modelPlan(services: number) {
    return Array.from({ length: services }, (_, i) => ({
        name: `service-${i + 1}`,
        roleArn: `arn:aws:iam::${modelAccount}:role/model-service-${i + 1}`,
        bucket: `model-bucket-${i + 1}`,
    }));
}
