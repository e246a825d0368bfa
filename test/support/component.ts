// Runs one AssumableRolePair (not the whole program) under mocks.
import { AssumableRolePair, AssumableRolePairArgs } from "../../components/assumableRolePair";
import { MockOptions, runMocked } from "../../lab/pulumiMocks";

/** Arguments valid with verification on; tests override what they examine. */
export const baseArgs: AssumableRolePairArgs = { sshIngressCidr: "203.0.113.7/32" };

export async function runComponent(args: AssumableRolePairArgs, options?: MockOptions) {
    const run = await runMocked(
        "test",
        {},
        async () => {
            const pair = new AssumableRolePair("pair", args);
            return { pair, verification: pair.verification, targetRoleArn: pair.targetRoleArn };
        },
        options,
    );
    return { ...run, pair: run.loaded.pair as AssumableRolePair };
}
