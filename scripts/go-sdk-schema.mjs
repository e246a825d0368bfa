#!/usr/bin/env node
// The schema a Go SDK that compiles is generated from: rolepair's schema with the Go options
// `pulumi package add` cannot be given. Pulumi's Go generator (pkg/v3 v3.274.1) types
// SharedDevHostArgs.Services as map[string]SharedServiceArgs but emits SharedServiceArgs only with
// generateExtraInputTypes (docs/multi-language.md, Go); importBasePath and supportPack are set as
// `pulumi package add` sets them, so the SDK's module is example.com/pulumi-rolepair/sdk/go, the
// path examples/go's go.mod replaces with ./sdks/rolepair.
//
//   node scripts/go-sdk-schema.mjs [schema.json] > rolepair-go.json   (default: stdin)
//   pulumi package gen-sdk rolepair-go.json --language go --out sdks-gen && mv sdks-gen/go sdks/rolepair
import * as fs from "fs";

export const goModule = "example.com/pulumi-rolepair/sdk/go";

/** The schema with the Go options set; every other field as given. */
export function goSchema(schema) {
    if (typeof schema !== "object" || schema === null || typeof schema.name !== "string")
        throw new Error(
            `not a Pulumi package schema: expected an object with a "name", got ${JSON.stringify(schema)?.slice(0, 80)}`,
        );
    const language = schema.language ?? {};
    return {
        ...schema,
        meta: { ...schema.meta, supportPack: true },
        language: {
            ...language,
            go: {
                ...language.go,
                generateExtraInputTypes: true,
                importBasePath: `${goModule}/${schema.name}`,
            },
        },
    };
}

const [input] = process.argv.slice(2);
const source = input ?? "stdin";
let schema;
try {
    schema = JSON.parse(fs.readFileSync(input ?? 0, "utf8"));
} catch (e) {
    console.error(
        `go-sdk-schema: ${source}: ${e.message} (expected the JSON of pulumi package get-schema)`,
    );
    process.exit(2);
}
try {
    process.stdout.write(`${JSON.stringify(goSchema(schema), null, 2)}\n`);
} catch (e) {
    console.error(`go-sdk-schema: ${source}: ${e.message}`);
    process.exit(2);
}
