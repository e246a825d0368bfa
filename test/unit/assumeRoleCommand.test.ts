// The pair's assumeRoleCommand output is pasted into a shell: every word is quoted as the other
// generated command lines are, so a session name or ExternalId is one literal word in bash and zsh.
import * as assert from "assert";
import { execFileSync } from "child_process";

import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";
import { promiseOf } from "../../lab/pulumiMocks";

/** The words a POSIX shell makes of `line` (its arguments as `printf` sees them), with no expansion of =cmd. */
function shellWords(line: string): string[] {
    const out = execFileSync("sh", ["-c", `set -f; printf '%s\\n' ${line}`], { encoding: "utf8" });
    return out.split("\n").slice(0, -1);
}

describe("the assumeRoleCommand output", () => {
    const cases: [string, Record<string, string>, string, string | undefined][] = [
        [
            "a session name zsh would expand (=ls)",
            { "rolepair:sessionName": "=ls" },
            "=ls",
            undefined,
        ],
        [
            "an ExternalId with = and a session name with @",
            { "rolepair:sessionName": "ops@team", "rolepair:externalId": "a=b:c/d" },
            "ops@team",
            "a=b:c/d",
        ],
    ];
    for (const [label, config, sessionName, externalId] of cases) {
        it(`quotes ${label}: each value is one literal word`, async () => {
            const run = await runProgram("dev", {
                ...stackFileConfig("dev"),
                ...operatorConfig,
                ...config,
            });
            const line = await promiseOf<string>(run.loaded.assumeRoleCommand);
            // zsh expands an unquoted word starting with "=": the line must quote it.
            for (const word of line.split(" ")) assert.ok(!word.startsWith("="), line);
            assert.ok(line.startsWith("aws sts assume-role "), line);
            const parsed = shellWords(line.replace(/^aws sts assume-role /, ""));
            const expected = [
                "--role-arn",
                "arn:aws:iam::123456789012:role/rolepair-target-role-7f3a9c1",
                "--role-session-name",
                sessionName,
                ...(externalId !== undefined ? ["--external-id", externalId] : []),
            ];
            assert.deepStrictEqual(parsed, expected);
        });
    }
});
