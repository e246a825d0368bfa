// Runs the real stack program (index.ts) under mocks with a stack file's config.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

import { MockOptions, runMocked } from "./pulumiMocks";

export const repoRoot = path.join(__dirname, "..");

/** A stack file's config as Pulumi hands it to a program: every value a string, lists as JSON. */
export function stackFileConfig(stack: string): Record<string, string> {
    const file = parse(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
    };
    return Object.fromEntries(
        Object.entries(file.config).map(([k, v]) => [
            k,
            typeof v === "string" ? v : JSON.stringify(v),
        ]),
    );
}

/** What a user adds before `pulumi up` with verification on (documented in README). */
export const operatorConfig = { "rolepair:sshIngressCidr": "203.0.113.7/32" };

/** The resources the stack program (component "rolepair") adds to prove over SSH, by name. */
export const sshVerificationNames = [
    "rolepair-ssh-key",
    "rolepair-key-pair",
    "rolepair-host-key",
    "rolepair-wait-for-host",
    "rolepair-copy-verify",
    "rolepair-sync-profiles",
    "rolepair-verify",
];

export async function runProgram(
    stack: string,
    config: Record<string, string>,
    options?: MockOptions,
    secretKeys?: string[],
) {
    return runMocked(
        stack,
        config,
        async () => {
            const entry = require.resolve(path.join(repoRoot, "index.ts"));
            delete require.cache[entry];
            // A fresh require runs the program again; import() would return the cached module.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(entry);
        },
        options,
        secretKeys,
    );
}
