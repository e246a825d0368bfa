// Names that are also properties of every JavaScript object (constructor, toString, __proto__)
// get the same treatment as any other name: accepted when well-formed, otherwise refused for the
// real reason, never as a "duplicate" or a repeated key.
import * as assert from "assert";

import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";
import { refusedProgram } from "../support/refusal";

const servicesConfig = (entries: string[]) => ({
    "rolepair:services": JSON.stringify(entries),
});

describe("prototype names in the services config", () => {
    it("accepts a service named constructor, with its own profile", async () => {
        const run = await runProgram("services", {
            ...stackFileConfig("services"),
            ...operatorConfig,
            ...servicesConfig(["service-a", "constructor"]),
        });
        const names = run.resources.map((r) => r.name);
        assert.ok(names.includes("rolepair-constructor-target-role"), names.join(", "));
        // The profile travels in its own SSM parameter (day 2), not in the user data.
        const profiles = run
            .all("aws:ssm/parameter:Parameter")
            .filter((p) => String(p.inputs.name).endsWith("/profiles/constructor"))
            .map((p) => JSON.parse(String(p.inputs.value)) as { roleArn: string });
        assert.strictEqual(profiles.length, 1);
        assert.match(profiles[0].roleArn, /:role\/rolepair-constructor-target-role-/);
    });

    const refusals: [string, string[], RegExp][] = [
        [
            "a service named __proto__ for its characters",
            ["service-a", "__proto__"],
            /^Invalid rolepair:services\[1\]: "__proto__"\. Accepted: 1 to 32 characters of lowercase letters, digits and hyphens/,
        ],
        [
            "a service named toString for its capital",
            ["toString"],
            /^Invalid rolepair:services\[0\]: "toString"\. Accepted: 1 to 32 characters of lowercase letters/,
        ],
        ...["toString", "constructor", "__proto__", "hasOwnProperty"].map(
            (key): [string, string[], RegExp] => [
                `the entry key ${key}= as unknown`,
                [`service-a ${key}=x`],
                new RegExp(
                    `^Invalid rolepair:services\\[0\\]\\.${key}: "${key}=x"\\. Accepted: key=value with a key among trustMode, `,
                ),
            ],
        ),
    ];
    for (const [label, entries, message] of refusals) {
        it(`refuses ${label}, and registers nothing`, async () => {
            const result = await refusedProgram("services", servicesConfig(entries));
            assert.match(result.message, message);
            assert.strictEqual(result.registered, 0);
        });
    }
});
