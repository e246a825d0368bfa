// Prints the IAM-simulator decision table for every stack as markdown (npm run policy-report):
// the pair's tables, and for the services stacks the host × buckets rows and the N×N matrix.
// With --write, rewrites docs/policy-decisions.md (checked by test/policy to be current).
// Exits 1 when any decision differs from what its table expects.
// Dev-only: the simulator is AGPL-3.0 and a devDependency; the deployed program never loads it.
import "../lab/quietSdk";
import * as fs from "fs";

import { decisionReport, decisionsDocPath } from "../lab/policyOracle";

async function main(): Promise<number> {
    const { markdown, unexpected } = await decisionReport();
    if (process.argv.includes("--write")) {
        fs.writeFileSync(decisionsDocPath, markdown);
        process.stderr.write(`policy-report: wrote ${decisionsDocPath}\n`);
    } else {
        process.stdout.write(markdown);
    }
    if (unexpected > 0)
        process.stderr.write(
            `policy-report: ${unexpected} decision(s) differ from what the table expects\n`,
        );
    return unexpected > 0 ? 1 : 0;
}

main().then((code) => process.exit(code));
