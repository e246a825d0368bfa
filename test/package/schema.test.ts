// The component package as other Pulumi languages see it: the schema the SDK's analyzer infers from
// the TypeScript types, pinned by a snapshot; README's documented defaults; the YAML example's names.
// Update the snapshot after an intended change with `npm run schema:update`.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { parse as parseYaml } from "yaml";

import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";

import {
    analyzedSchema,
    componentNames,
    packageDir,
    PackageSchema,
    referencedType,
    repoRoot,
    SchemaProperty,
    schemaSnapshotPath,
} from "./analyze";
import {
    rewriteSnapshot,
    type SnapshotUpdate,
    snapshotUpdate,
    updateRunFailure,
} from "../support/snapshotUpdate";

const token = (component: string) => `rolepair:index:${component}`;

/** The default a description states: the text after "Default" / "Default:", up to the sentence's end. */
export function statedDefault(description: string): string | undefined {
    const match = /(?:^|\.\s)Default:?\s+(.*)$/.exec(description);
    return match === null ? undefined : coreDefault(match[1]);
}

/**
 * A default's value without its explanation: no backticks or enclosing parentheses, cut at the first
 * ": ", "; ", " (" or sentence end. `(none: required with verify over ssh)` and
 * `none; required when verify is true` both give `none`.
 */
export function coreDefault(text: string): string {
    let value = text.replace(/`/g, "").trim();
    if (value.startsWith("(") && value.endsWith(")")) value = value.slice(1, -1);
    const cut = value.search(/: |; | \(|\.\s|\.$/);
    return (cut === -1 ? value : value.slice(0, cut)).trim();
}

interface ReadmeRow {
    keys: string[];
    defaultCell: string;
}

/** The rows of README's `## Configuration` table (`| Key | Default | Meaning |`). */
export function readmeConfigRows(readme: string): ReadmeRow[] {
    const section = readme.split(/^## /m).find((s) => s.startsWith("Configuration"));
    if (section === undefined) throw new Error("README.md has no '## Configuration' section");
    const lines = section.split("\n").filter((l) => l.trim().startsWith("|"));
    const cells = (line: string) =>
        line
            .trim()
            .slice(1, -1)
            .split("|")
            .map((c) => c.trim());
    const header = lines.findIndex(
        (l) => /^key$/i.test(cells(l)[0]) && /^default$/i.test(cells(l)[1]),
    );
    if (header === -1) throw new Error("README.md's Configuration has no | Key | Default | table");
    const rows: ReadmeRow[] = [];
    for (const line of lines.slice(header + 2)) {
        const [keyCell, defaultCell] = cells(line);
        const keys = [...keyCell.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((m) => m[1]);
        if (keys.length > 0) rows.push({ keys, defaultCell });
    }
    return rows;
}

/**
 * Stack config keys whose value is not the component input of the same name: the stack reads
 * `services` as a list of `"<name> key=value"` strings (empty: build the pair instead), the
 * component takes a map of service name to settings and has no default.
 */
const configShapedDifferently = ["services"];

describe("component package (pulumi-package/)", function () {
    let schema: PackageSchema;
    let update: SnapshotUpdate | undefined;
    before(async function () {
        const updating = process.env.UPDATE_SCHEMA === "1";
        const analysis = analyzedSchema(updating);
        schema = analysis.schema;
        console.log(
            analysis.cached
                ? "      schema: inferred earlier from files of the same content (CI=true analyzes)"
                : "      schema: analyzed",
        );
        if (updating) {
            const options = (await prettier.resolveConfig(schemaSnapshotPath)) ?? {};
            const text = await prettier.format(JSON.stringify(schema), {
                ...options,
                parser: "json",
            });
            const old = rewriteSnapshot(schemaSnapshotPath, text);
            update = snapshotUpdate(schemaSnapshotPath, "UPDATE_SCHEMA", old);
        }
    });

    it("is compared with the checked-in schema, not rewritten (an update run fails)", () => {
        if (update) throw updateRunFailure(update);
    });

    it("the analyzer accepts every exported component, under the rolepair token", function () {
        assert.deepStrictEqual(
            Object.keys(schema.resources).sort(),
            componentNames.map(token).sort(),
        );
        for (const resource of Object.values(schema.resources))
            assert.strictEqual(resource.isComponent, true);
        assert.strictEqual(schema.name, "rolepair");
    });

    it("the entry exports the components and nothing else", async function () {
        const entry = await import(path.join(packageDir, "index.ts"));
        assert.deepStrictEqual(Object.keys(entry).sort(), [...componentNames].sort());
        assert.deepStrictEqual(
            getPulumiComponents(entry)
                .map((c) => c.name)
                .sort(),
            [...componentNames].sort(),
        );
    });

    it("the inferred schema matches pulumi-package/schema.json (npm run schema:update after an intended change)", function () {
        const recorded = JSON.parse(fs.readFileSync(schemaSnapshotPath, "utf8"));
        assert.deepStrictEqual(
            schema,
            recorded,
            "The schema other languages get changed. If intended, run `npm run schema:update` and commit pulumi-package/schema.json.",
        );
    });

    it("every component input states its default", function () {
        const missing: string[] = [];
        for (const [name, resource] of Object.entries(schema.resources)) {
            for (const [input, property] of Object.entries(resource.inputProperties)) {
                if (statedDefault(property.description ?? "") === undefined)
                    missing.push(`${name}.${input}`);
                const nested = referencedType(schema, property);
                for (const [key, p] of Object.entries(nested?.properties ?? {})) {
                    if (statedDefault(p.description ?? "") === undefined)
                        missing.push(`${name}.${input}.${key}`);
                }
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("README's configuration defaults are the schema's for every key that is a component input", function () {
        const rows = readmeConfigRows(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));
        const mismatches: string[] = [];
        let compared = 0;
        for (const { keys, defaultCell } of rows) {
            for (const key of keys) {
                if (configShapedDifferently.includes(key)) continue;
                for (const [name, resource] of Object.entries(schema.resources)) {
                    const property = resource.inputProperties[key];
                    if (property === undefined) continue;
                    compared++;
                    const stated = statedDefault(property.description ?? "");
                    if (stated !== coreDefault(defaultCell)) {
                        mismatches.push(
                            `${key}: README ${defaultCell} but ${name} says "${property.description}"`,
                        );
                    }
                }
            }
        }
        assert.deepStrictEqual(mismatches, []);
        // A table the parser no longer reads must fail, not pass with nothing compared.
        assert.ok(compared >= 20, `only ${compared} README keys matched a component input`);
        for (const key of configShapedDifferently) {
            assert.ok(
                rows.some((r) => r.keys.includes(key)),
                `${key} is no longer in README's table`,
            );
        }
    });

    it("examples/yaml uses only the schema's types, inputs, service settings and outputs", function () {
        const program = parseYaml(
            fs.readFileSync(path.join(repoRoot, "examples", "yaml", "Pulumi.yaml"), "utf8"),
        );
        const problems: string[] = [];
        const ours = Object.entries(
            program.resources as Record<
                string,
                { type: string; properties?: Record<string, unknown> }
            >,
        ).filter(([, r]) => r.type.startsWith("rolepair:"));
        assert.deepStrictEqual(
            ours.map(([, r]) => r.type).sort(),
            componentNames.map(token).sort(),
        );
        const outputsOf = new Map<string, Set<string>>();
        for (const [name, { type, properties = {} }] of ours) {
            const resource = schema.resources[type];
            if (resource === undefined) {
                problems.push(`${name}: no type ${type}`);
                continue;
            }
            outputsOf.set(name, new Set(Object.keys(resource.properties)));
            for (const required of resource.requiredInputs ?? []) {
                if (!(required in properties))
                    problems.push(`${name}: missing required ${required}`);
            }
            for (const [key, value] of Object.entries(properties)) {
                const property = resource.inputProperties[key];
                if (property === undefined) {
                    problems.push(`${name}: ${type} has no input ${key}`);
                    continue;
                }
                const nested = referencedType(schema, property);
                problems.push(...checkValue(schema, `${name}.${key}`, property, value));
                if (
                    property.additionalProperties !== undefined &&
                    nested?.properties !== undefined
                ) {
                    for (const [entry, settings] of Object.entries(
                        value as Record<string, Record<string, unknown>>,
                    )) {
                        for (const [setting, v] of Object.entries(settings ?? {})) {
                            const p = nested.properties[setting];
                            if (p === undefined)
                                problems.push(`${name}.${key}.${entry}: no setting ${setting}`);
                            else
                                problems.push(
                                    ...checkValue(
                                        schema,
                                        `${name}.${key}.${entry}.${setting}`,
                                        p,
                                        v,
                                    ),
                                );
                        }
                    }
                }
            }
        }
        // ${resource.output} in outputs must name an output of that component.
        for (const [output, expression] of Object.entries(
            program.outputs as Record<string, string>,
        )) {
            const match = /^\$\{(\w+)\.(\w+)/.exec(expression);
            if (match && outputsOf.has(match[1]) && !outputsOf.get(match[1])!.has(match[2])) {
                problems.push(`outputs.${output}: ${match[1]} has no output ${match[2]}`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });
});

/** A literal value against an enum-typed property (or an array of one); interpolations are skipped. */
function checkValue(
    schema: PackageSchema,
    at: string,
    property: SchemaProperty,
    value: unknown,
): string[] {
    const enumType = referencedType(schema, property);
    if (enumType?.enum === undefined) return [];
    const allowed = enumType.enum.map((e) => e.value);
    const values = Array.isArray(value) ? value : [value];
    return values
        .filter((v) => typeof v === "string" && !v.startsWith("${") && !allowed.includes(v))
        .map((v) => `${at}: ${JSON.stringify(v)} is not one of ${allowed.join(", ")}`);
}
