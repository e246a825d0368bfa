// Runs the Pulumi Node SDK's component schema analyzer offline over pulumi-package/, as the plugin
// host does on `pulumi package add` (GetSchema): no Pulumi CLI, no engine, no network.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

import { installedPackages, ResultCache } from "../support/resultCache";
import { committableFiles } from "./committableFiles";

export const repoRoot = path.join(__dirname, "..", "..");
export const packageDir = path.join(repoRoot, "pulumi-package");
export const schemaSnapshotPath = path.join(packageDir, "schema.json");

/** The components the package serves; the plugin host finds them by requiring the entry. */
export const componentNames = ["AssumableRolePair", "SharedDevHost"];

export interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    description?: string;
    plain?: boolean;
    optional?: boolean;
}

export interface SchemaType {
    type: string;
    properties?: Record<string, SchemaProperty>;
    required?: string[];
    enum?: { name: string; value: string }[];
}

export interface SchemaResource {
    isComponent: boolean;
    inputProperties: Record<string, SchemaProperty>;
    requiredInputs?: string[];
    properties: Record<string, SchemaProperty>;
    required?: string[];
}

export interface PackageSchema {
    name: string;
    version: string;
    resources: Record<string, SchemaResource>;
    types: Record<string, SchemaType>;
}

/**
 * The schema the engine would get from the plugin, as plain JSON, and every file the analyzer's
 * TypeScript program read (undefined if unknown). Throws what the analyzer refuses.
 */
function analyze(): { schema: PackageSchema; read: string[] | undefined } {
    const packageJSON = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
    const analyzer = new Analyzer(
        packageDir,
        packageJSON.name,
        packageJSON,
        new Set(componentNames),
    );
    const { components, typeDefinitions, dependencies } = analyzer.analyze();
    const schema = generateSchema(
        packageJSON.name,
        packageJSON.version,
        packageJSON.description,
        components,
        typeDefinitions,
        dependencies,
    );
    // Not in the Analyzer's declarations: the program it built from pulumi-package/tsconfig.json.
    const program = (analyzer as unknown as { program?: ts.Program }).program;
    return {
        schema: JSON.parse(JSON.stringify(schema)) as PackageSchema,
        read: program?.getSourceFiles().map((f) => f.fileName),
    };
}

/**
 * analyze()'s schema, or on a warm run the schema an earlier analysis inferred from files of the
 * very same content (test/support/resultCache.ts): the analyzer parses @pulumi/aws's declarations
 * (about 12 s of CPU), and the package layer runs it again anyway, in the plugin, over gRPC.
 * Keyed also by the installed packages (the analyzer's own code is @pulumi/pulumi's) and the
 * tree's file names. CI=true analyzes every time; so does `fresh`.
 */
export function analyzedSchema(fresh = false): { schema: PackageSchema; cached: boolean } {
    const cache = new ResultCache<PackageSchema>("schema-analyzer", repoRoot, [
        repoRoot,
        ...componentNames,
        ...installedPackages(repoRoot),
        ...committableFiles(repoRoot),
    ]);
    const saved = fresh ? undefined : cache.lookup();
    if (saved !== undefined) return { schema: saved, cached: true };
    const { schema, read } = analyze();
    if (read === undefined)
        console.log("      the Analyzer no longer exposes its program: its result is not kept");
    else
        cache.save(
            [
                ...read,
                __filename,
                path.join(packageDir, "package.json"),
                path.join(packageDir, "tsconfig.json"),
            ],
            schema,
        );
    return { schema, cached: false };
}

/** The type a property refers to (`#/types/rolepair:index:X`), or undefined. */
export function referencedType(schema: PackageSchema, property: SchemaProperty) {
    const ref = property.$ref ?? property.items?.$ref ?? property.additionalProperties?.$ref;
    return ref === undefined ? undefined : schema.types[ref.replace("#/types/", "")];
}
