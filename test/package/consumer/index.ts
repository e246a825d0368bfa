// A user's Pulumi program: the components from the installed rolepair package, nothing from the
// repository. test/package/npmPackage.test.ts type-checks it with `tsc --strict` against the
// package's declarations and runs it under Pulumi mocks.
import * as pulumi from "@pulumi/pulumi";
import {
    AssumableRolePair,
    AssumableRolePairArgs,
    ProofReport,
    SharedDevHost,
    SharedDevHostArgs,
    VerifyTransport,
} from "rolepair";

// One host, one target role, proven over SSH (the default transport).
const pairArgs: AssumableRolePairArgs = { sshIngressCidr: "203.0.113.7/32" };
const pair = new AssumableRolePair("pair", pairArgs);

// One host, two services, proven through SSM Run Command.
const sharedArgs: SharedDevHostArgs = {
    verifyTransport: VerifyTransport.Ssm,
    services: { orders: {}, billing: { bucketPrefix: "billing-" } },
};
const shared = new SharedDevHost("shared", sharedArgs);

const pairReport: pulumi.Output<ProofReport> | undefined = pair.verification;
export const targetRoleArn: pulumi.Output<string> = pair.targetRoleArn;
export const pairProven = pairReport?.apply((report) => report.ok);
export const sharedProven = shared.verification?.apply((report: ProofReport) => report.ok);
export const serviceRoles = shared.services.apply((services) =>
    Object.keys(services).map((name) => services[name].roleArn),
);
