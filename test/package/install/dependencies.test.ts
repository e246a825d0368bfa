// One source of truth for the package's dependencies: `pulumi package add` installs
// pulumi-package/package.json alone (no root node_modules), so it must list every package the
// plugin and the bundles import, at the root's version range, and nothing else.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { packageDir, repoRoot } from "../analyze";
import { bundleGraph, packageOf, pluginHostTools, pluginImports } from "./importGraph";

interface Manifest {
    allowScripts?: Record<string, boolean>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
}

const readJSON = <T>(file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as T;

describe("component package dependencies (pulumi-package/package.json)", function () {
    const root = readJSON<Manifest>(path.join(repoRoot, "package.json"));
    const plugin = readJSON<Manifest>(path.join(packageDir, "package.json"));
    const pluginDeps = plugin.dependencies ?? {};
    let needed: Map<string, string[]>;
    let bundles: string[];

    before(function () {
        const graph = bundleGraph();
        bundles = graph.outputs;
        needed = pluginImports();
        for (const [name, importers] of graph.imports)
            needed.set(name, [...(needed.get(name) ?? []), ...importers]);
    });

    it("packageOf: scoped, unscoped, subpaths, builtins and relative imports", function () {
        assert.strictEqual(packageOf("@aws-sdk/client-ssm"), "@aws-sdk/client-ssm");
        assert.strictEqual(packageOf("@pulumi/pulumi/provider"), "@pulumi/pulumi");
        assert.strictEqual(packageOf("esbuild"), "esbuild");
        assert.strictEqual(packageOf("yaml/util"), "yaml");
        assert.strictEqual(packageOf("node:fs"), undefined);
        assert.strictEqual(packageOf("child_process"), undefined);
        assert.strictEqual(packageOf("../verify/shared/report"), undefined);
    });

    it("the import graph is the real one: the bundles and the packages they need are found", function () {
        // A graph the walk no longer reads must fail here, not pass with nothing required.
        assert.ok(bundles.includes("dist/verify.js"), `bundles: ${bundles.join(", ")}`);
        for (const name of ["@pulumi/pulumi", "@pulumi/aws", "@aws-sdk/client-s3", "esbuild"])
            assert.ok(needed.has(name), `${name} not found in the import graph`);
    });

    it("lists every package the plugin, its install and the bundles import, and the plugin host's tools", function () {
        const missing = [...needed.keys(), ...pluginHostTools]
            .filter((name) => !(name in pluginDeps))
            .map(
                (name) =>
                    `${name} (imported by ${(needed.get(name) ?? ["the plugin host"]).join(", ")})`,
            );
        assert.deepStrictEqual(
            missing,
            [],
            "add these to pulumi-package/package.json's dependencies",
        );
    });

    it("lists nothing that nothing imports", function () {
        const unused = Object.keys(pluginDeps).filter(
            (name) => !needed.has(name) && !pluginHostTools.includes(name),
        );
        assert.deepStrictEqual(unused, [], "remove these from pulumi-package/package.json");
    });

    it("each dependency has the root package.json's version range", function () {
        // What the root installs: a peer dependency's range is the one its devDependency pins.
        const rootRanges = {
            ...root.peerDependencies,
            ...root.devDependencies,
            ...root.dependencies,
        };
        const differ = Object.entries(pluginDeps)
            .filter(([name, range]) => rootRanges[name] !== range)
            .map(
                ([name, range]) =>
                    `${name}: plugin ${range}, root ${rootRanges[name] ?? "(absent)"}`,
            );
        assert.deepStrictEqual(differ, []);
    });

    it("lets the same dependencies run install scripts as the root (npm's allowScripts)", function () {
        // The root blocks @pulumi/command's plugin download and protobufjs's postinstall, and lets
        // esbuild fetch its binary: a plugin install must behave alike.
        assert.deepStrictEqual(plugin.allowScripts, root.allowScripts);
    });

    it("the lock file is the manifest's (npm ci installs exactly it)", function () {
        const lock = readJSON<{ packages: Record<string, Manifest & { version?: string }> }>(
            path.join(packageDir, "package-lock.json"),
        );
        assert.deepStrictEqual(lock.packages[""].dependencies, pluginDeps);
        const unlocked = Object.keys(pluginDeps).filter(
            (name) => lock.packages[`node_modules/${name}`]?.version === undefined,
        );
        assert.deepStrictEqual(unlocked, []);
    });
});
