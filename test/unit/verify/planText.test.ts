// A plan's JSON text (contract/plan.ts, parsePlanText): the nesting check that runs before
// JSON.parse counts only brackets outside strings and gives each closing bracket back, and every
// problem of every target is named once, by its path. The cap on targets is in
// test/unit/serviceCap.test.ts.
import * as assert from "assert";

import { maxPlanNesting, parsePlanText } from "../../../contract/plan";
import { UsageError } from "../../../contract/usageError";

const target = (i: number) => ({
    name: `service-${i}`,
    roleArn: `arn:aws:iam::123456789012:role/service-${i}`,
    bucket: `bucket-${i}`,
    objectActions: ["s3:GetObject", "s3:PutObject"],
});

/** The usage error's lines, or "accepted" when the plan was taken. */
function outcome(text: string): string[] | "accepted" {
    try {
        parsePlanText(text, "--targets");
        return "accepted";
    } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        return error.message.split("\n");
    }
}

describe("a plan's text", () => {
    it(`is ${maxPlanNesting} deep with each target's objectActions, however many targets it has`, () => {
        const plan = Array.from({ length: 6 }, (_, i) => target(i));
        assert.deepStrictEqual(parsePlanText(JSON.stringify(plan), "--targets"), plan);
    });

    it("refuses nesting deeper than that by arrays alone or by objects alone", () => {
        const nests =
            /^--targets: nests arrays or objects more than 3 deep; expected a JSON array of/;
        for (const text of ["[[[[]]]]", '[{"a":{"b":{"c":1}}}]', '{"a":{"b":{"c":{}}}}']) {
            const lines = outcome(text);
            assert.ok(lines !== "accepted" && nests.test(lines[0]), `${text}: ${String(lines)}`);
        }
    });

    it("does not count brackets inside strings, escaped quotes included", () => {
        // JSON.stringify writes the quote as \" : an escaped quote does not end the string.
        const plan = [{ ...target(0), name: 'a"[[[[{{{{' }];
        assert.deepStrictEqual(outcome(JSON.stringify(plan)), [
            `--targets[0].name: got ${JSON.stringify('a"[[[[{{{{')}; expected 1 to 32 of lowercase letters, digits and -`,
        ]);
    });

    it("names each missing field once, and takes two nameless targets for no duplicate", () => {
        const lines = outcome(JSON.stringify([{}, {}]));
        assert.ok(lines !== "accepted");
        assert.deepStrictEqual(
            lines.map((l) => l.split(":")[0]),
            [
                "--targets[0].name",
                "--targets[0].roleArn",
                "--targets[0].bucket",
                "--targets[1].name",
                "--targets[1].roleArn",
                "--targets[1].bucket",
            ],
        );
    });
});
