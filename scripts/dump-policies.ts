// Writes every policy document the stacks generate (under mocks) as one JSON file each, for the
// third-party checkers run by scripts/security-scan.sh. Dev-only, like the policy report.
import "../lab/quietSdk";
import * as fs from "fs";
import * as path from "path";

import { generatedDocuments, stackCases } from "../lab/policyOracle";

async function main(outDir: string): Promise<void> {
    fs.mkdirSync(outDir, { recursive: true });
    const seen = new Set<string>();
    for (const stack of stackCases()) {
        const docs = await generatedDocuments(stack);
        const named: [string, unknown][] = [
            ...docs.hostPolicies.map((p, i): [string, unknown] => [`host-identity-${i}`, p]),
            ["host-trust", docs.hostTrust],
            ...docs.services.flatMap((s): [string, unknown][] => [
                ...s.policies.map((p, i): [string, unknown] => [`${s.name}-identity-${i}`, p]),
                [`${s.name}-trust`, s.trust],
                [`${s.name}-bucket-policy`, s.bucketPolicy],
            ]),
        ];
        for (const [name, doc] of named) {
            const text = JSON.stringify(doc);
            if (seen.has(text)) continue; // the same document from another stack: checked once
            seen.add(text);
            const file = `${stack.label.replace(/[^a-z0-9]+/gi, "-")}--${name}.json`;
            fs.writeFileSync(path.join(outDir, file), `${text}\n`);
        }
    }
}

main(process.argv[2] ?? "policies").then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`dump-policies: ${String(error)}\n`);
        process.exit(1);
    },
);
