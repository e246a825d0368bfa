// Runs the Pulumi Node SDK's component schema analyzer offline over pulumi-package/, as the plugin
// host does on `pulumi package add` (GetSchema): no Pulumi CLI, no engine, no network.
import * as fs from "fs";
import * as path from "path";

import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

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

/** The schema the engine would get from the plugin, as plain JSON. Throws what the analyzer refuses. */
export function analyzePackage(): PackageSchema {
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
    return JSON.parse(JSON.stringify(schema)) as PackageSchema;
}

/** The type a property refers to (`#/types/rolepair:index:X`), or undefined. */
export function referencedType(schema: PackageSchema, property: SchemaProperty) {
    const ref = property.$ref ?? property.items?.$ref ?? property.additionalProperties?.$ref;
    return ref === undefined ? undefined : schema.types[ref.replace("#/types/", "")];
}
