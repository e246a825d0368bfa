// trustedPrincipalArns must narrow the trust: a wildcard comes after a literal path or name
// prefix of at least minPrincipalLiteralPrefix characters. One literal character after the first
// wildcard (role/*-*, role/*a) still admits nearly every role, so it does not count.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { AssumableRolePair } from "../../components/assumableRolePair";
import { checkPrincipalArn, minPrincipalLiteralPrefix } from "../../components/validation";
import { baseArgs } from "../support/component";
import { repoRoot } from "../../lab/program";
import { refusedConstruction } from "../support/refusal";

const account = "arn:aws:iam::123456789012:";

describe("trustedPrincipalArns narrowing", () => {
    const refused = [
        "role/*",
        "role/*-*",
        "role/*a",
        "role/*/*x",
        "role/a*",
        "role/ab*",
        "user/*x",
        "assumed-role/*/session",
    ];
    for (const resource of refused) {
        it(`refuses ${resource}: fewer than ${minPrincipalLiteralPrefix} literal characters before the wildcard`, () => {
            assert.throws(
                () => checkPrincipalArn("trustedPrincipalArns[0]", `${account}${resource}`),
                new RegExp(
                    `^InputError: Invalid trustedPrincipalArns\\[0\\]: "${account}${resource.replace(/\*/g, "\\*")}"\\. Accepted: a principal ARN that narrows the trust: a wildcard needs at least ${minPrincipalLiteralPrefix} literal characters of path or name before it \\(".*" has \\d\\).* narrows nothing`,
                ),
            );
        });
    }

    const accepted = [
        "role/app-*",
        "role/ci/*",
        "role/orders-*",
        "role/app",
        "root",
        "assumed-role/app-role/*",
    ];
    for (const resource of accepted) {
        it(`accepts ${resource}`, () => {
            assert.strictEqual(
                checkPrincipalArn("x", `${account}${resource}`),
                `${account}${resource}`,
            );
        });
    }

    it("refuses role/*-* on the component and registers nothing", async () => {
        const result = await refusedConstruction(
            () =>
                new AssumableRolePair("pair", {
                    ...baseArgs,
                    trustMode: "account-root",
                    trustedPrincipalArns: [`${account}role/app`, `${account}role/*-*`],
                }),
        );
        assert.match(result.message, /^Invalid trustedPrincipalArns\[1\]: .* narrows nothing/);
        assert.strictEqual(result.registered, 0);
    });

    it("docs/components.md states the rule with the number the check uses", () => {
        const doc = fs.readFileSync(path.join(repoRoot, "docs", "components.md"), "utf8");
        assert.match(
            doc,
            new RegExp(
                `trustedPrincipalArns\`[^]*?needs\\s+at\\s+least\\s+${minPrincipalLiteralPrefix}\\s+literal\\s+characters\\s+of\\s+path\\s+or\\s+name\\s+before`,
            ),
        );
    });
});
