// Prints the IAM-simulator decision table for every stack as markdown (npm run policy-report):
// the pair's tables, and for the services stacks the host × buckets rows and the N×N matrix.
// Exits 1 when any decision differs from what its table expects.
// Dev-only: the simulator is AGPL-3.0 and a devDependency; the deployed program never loads it.
import "../test/support/quietSdk";
import {
    decisionTable,
    evaluate,
    generatedDocuments,
    markdownTable,
    stackCases,
} from "../test/support/policyOracle";

async function main(): Promise<number> {
    const sections: string[] = [];
    let unexpected = 0;
    for (const stack of stackCases()) {
        const rows = await evaluate(decisionTable(stack, await generatedDocuments(stack)));
        unexpected += rows.filter((r) => r.actual !== r.expected).length;
        sections.push(markdownTable(stack.label, rows));
    }
    process.stdout.write(`${sections.join("\n\n")}\n`);
    if (unexpected > 0)
        process.stderr.write(
            `policy-report: ${unexpected} decision(s) differ from what the table expects\n`,
        );
    return unexpected > 0 ? 1 : 0;
}

main().then((code) => process.exit(code));
