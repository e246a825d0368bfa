// The npm package as a TypeScript user gets it: `npm pack` this repository, install the tarball
// into a fresh project beside @pulumi/* from the registry, type-check a program against the
// declarations, run it under Pulumi mocks and run the bins. Needs the npm registry.
import * as assert from "assert";
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { promisify } from "util";

import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { InstallCache } from "../support/installCache";
import { typeCheck } from "../support/typeCheck";

const repoRoot = path.join(__dirname, "..", "..");
const consumerFixture = path.join(__dirname, "consumer");
const run = promisify(execFile);

/** Upper bounds on the tarball: 672 KiB packed, 2,334 KiB unpacked on 2026-11-29 (four minified bundles). */
const maxPackedBytes = 1024 * 1024;
const maxUnpackedBytes = 3 * 1024 * 1024;

/** What the tarball may hold: compiled components and the shared code they import, the bundles. */
const allowedInTarball = [
    /^package\.json$/,
    /^README\.md$/,
    /^LICENSE$/,
    /^lib\/components\/[A-Za-z]+\.(js|d\.ts)$/,
    /^lib\/contract\/[A-Za-z]+\.(js|d\.ts)$/,
    /^dist\/[a-z-]+\.js$/,
    // The IMDS lock, loaded with `nft -f` as shipped.
    /^dist\/[a-z-]+\.nft$/,
];

/** What the install leaves in the project, kept between warm runs. */
const projectInstall = ["node_modules", "package.json", "package-lock.json"];

const bins = ["rolepair-verify", "rolepair-ssm-runner", "rolepair-host-key", "rolepair-prove"];

/**
 * The environment of the commands run in the temporary project: nothing that points back into
 * this repository (npm run's npm_* variables and node_modules/.bin on PATH, NODE_PATH).
 */
function isolatedEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (key.toLowerCase().startsWith("npm_") || key === "NODE_PATH" || key === "INIT_CWD")
            continue;
        env[key] = value;
    }
    // The Node running the tests stays first, even when CI brought it into the repository's .tools/.
    env.PATH = [
        path.dirname(process.execPath),
        ...(process.env.PATH ?? "")
            .split(path.delimiter)
            .filter((dir) => !path.resolve(dir).startsWith(repoRoot)),
    ].join(path.delimiter);
    return env;
}

/** Module resolution climbs parent directories: none above the project may hold node_modules. */
function assertNoModulesAbove(dir: string): void {
    assert.ok(!dir.startsWith(repoRoot + path.sep), `${dir} is inside the repository`);
    for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
        const modules = path.join(parent, "node_modules");
        assert.ok(!fs.existsSync(modules), `${modules} would be visible to the temporary project`);
        if (path.dirname(parent) === parent) break;
    }
}

interface PackResult {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
}

interface Summary {
    pulumiFromProgram: string;
    pulumiFromPackage: string;
    resources: {
        type: string;
        name: string;
        parentType?: string;
        create?: string;
        triggers?: unknown[];
        sourcePath?: string;
    }[];
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("the npm package (npm pack, installed into an empty project)", function () {
    // A registry install of @pulumi/aws and a type-check against its declarations, on a shared machine.
    this.timeout(20 * 60_000);

    let workDir: string;
    let project: string;
    let installed: string;
    let packed: PackResult;
    let installs: InstallCache | undefined;
    const helps = new Map<string, Promise<string>>();
    const env = isolatedEnv();

    before(async () => {
        workDir = makeTempDir("rolepair-npm-package-");
        project = path.join(workDir, "consumer");
        fs.mkdirSync(project);
        assertNoModulesAbove(project);

        // Build what `npm publish` would (prepack: bundles and lib/), then pack it; --json alone,
        // since the build's own output would otherwise mix into it.
        await run("npm", ["run", "prepack"], { cwd: repoRoot });
        const { stdout } = await run(
            "npm",
            ["pack", "--json", "--ignore-scripts", "--pack-destination", workDir],
            { cwd: repoRoot },
        );
        packed = (JSON.parse(stdout) as PackResult[])[0];

        const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        fs.writeFileSync(
            path.join(project, "package.json"),
            JSON.stringify({ name: "consumer", private: true }),
        );
        for (const file of ["index.ts", "misuse.ts", "run.js", "tsconfig.json"]) {
            fs.copyFileSync(path.join(consumerFixture, file), path.join(project, file));
        }
        // The mocks the repository's own tests use, as plain JS loading the project's @pulumi/pulumi.
        const mocks = fs.readFileSync(path.join(repoRoot, "lab/pulumiMocks.ts"), "utf8");
        fs.writeFileSync(
            path.join(project, "mocks.js"),
            ts.transpileModule(mocks, {
                compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
            }).outputText,
        );

        // As a user does: the package and its peers at the ranges it states, from the registry.
        // --ignore-scripts: provider packages' install scripts fetch plugins (not reachable here,
        // and not what is tested).
        const peers = Object.entries(own.peerDependencies as Record<string, string>).map(
            ([name, range]) => `${name}@${range}`,
        );
        const devDeps = own.devDependencies as Record<string, string>;
        const from = [
            ...peers,
            `typescript@${devDeps.typescript}`,
            `@types/node@${devDeps["@types/node"]}`,
        ];
        const flags = ["--no-audit", "--no-fund", "--ignore-scripts"];
        // Warm runs start from the project an earlier run installed the same peers into (a user
        // who has them and adds this package); the install below then replaces the package with
        // this run's tarball. CI=true, and any change to the peers, installs everything fresh.
        installs = new InstallCache("npm-package-consumer", [...flags, ...from]);
        const warm = installs.restore(project, projectInstall);
        await run("npm", ["install", ...flags, path.join(workDir, packed.filename), ...from], {
            cwd: project,
            env,
        });
        installed = fs.realpathSync(path.join(project, "node_modules", "rolepair"));
        // This run's tarball, not one a warm start's node_modules held: the bundles just built.
        for (const file of ["verify.js", "ssm-runner.js"])
            assert.strictEqual(
                sha256(path.join(installed, "dist", file)),
                sha256(path.join(repoRoot, "dist", file)),
                `${file} in the installed package is not this run's`,
            );
        const version = (name: string) =>
            JSON.parse(
                fs.readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8"),
            ).version;
        console.log(
            `      ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KiB packed, ` +
                `${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.files.length} files; ` +
                `installed beside ${[
                    "@pulumi/pulumi",
                    "@pulumi/aws",
                    "@pulumi/command",
                    "@pulumi/tls",
                ]
                    .map((name) => `${name}@${version(name)}`)
                    .join(", ")} (${
                    warm
                        ? "installed earlier from the same ranges; CI=true installs fresh"
                        : "fresh from the registry"
                })`,
        );
        // Each bin's --help as a user runs it (npx, ~2 to 7 s each here): started together now,
        // so they run beside the type-check; each test awaits its own (stdout, or the error).
        for (const bin of bins)
            helps.set(
                bin,
                run("npx", ["--no", "--", bin, "--help"], { cwd: project, env }).then(
                    ({ stdout }) => stdout,
                    (e: Error) => `npx ${bin} --help failed: ${e.message}`,
                ),
            );
    });

    after(async () => {
        // Nothing may still run in the project when it is removed.
        await Promise.all(helps.values());
        if (installs && fs.existsSync(path.join(project, "node_modules")))
            installs.save(project, projectInstall);
        if (workDir !== undefined) removeTempDir(workDir);
    });

    it("packs only the compiled components, their shared code, the bundles, README and LICENSE", () => {
        const files = packed.files.map((f) => f.path).sort();
        const unexpected = files.filter((f) => !allowedInTarball.some((re) => re.test(f)));
        assert.deepStrictEqual(unexpected, [], "files that must not be in the tarball");
        for (const required of [
            "LICENSE",
            "README.md",
            "lib/components/index.js",
            "lib/components/index.d.ts",
            "dist/verify.js",
            "dist/ssm-runner.js",
            "dist/host-key.js",
        ]) {
            assert.ok(files.includes(required), `${required} is missing from the tarball`);
        }
        assert.ok(packed.size < maxPackedBytes, `packed ${packed.size} bytes`);
        assert.ok(packed.unpackedSize < maxUnpackedBytes, `unpacked ${packed.unpackedSize} bytes`);
    });

    it("the packed package.json runs nothing at install: no prepare, preinstall, install or postinstall (npm 11 warns about each)", () => {
        const manifest = JSON.parse(
            fs.readFileSync(path.join(installed, "package.json"), "utf8"),
        ) as { scripts?: Record<string, string> };
        const atInstall = ["preinstall", "install", "postinstall", "prepare"];
        assert.deepStrictEqual(
            Object.keys(manifest.scripts ?? {}).filter((name) => atInstall.includes(name)),
            [],
        );
        // What builds the package runs when it is packed instead.
        assert.match(manifest.scripts?.prepack ?? "", /scripts\/bundle\.mjs/);
    });

    it("type-checks a user's program with tsc --strict against the declarations, and refuses misuse", async () => {
        // Warm: the diagnostics and bin/ of an earlier tsc over files of the very same content
        // (test/support/typeCheck.ts); CI=true, or any changed declaration, runs tsc.
        const { output: result, cached } = await typeCheck({
            use: "consumer-tsc",
            project,
            root: project,
            args: ["-p", ".", "--strict"],
            configFiles: [path.join(project, "tsconfig.json")],
            key: [repoRoot],
            env,
        });
        console.log(
            cached
                ? "      tsc: the result of an earlier run over files of the same content (CI=true runs it)"
                : "      tsc: run",
        );
        const errors = result.split("\n").filter((line) => /error TS\d+/.test(line));
        // The program itself compiles; each misuse is refused, so the declarations are not `any`.
        assert.deepStrictEqual(
            errors.map((line) => line.replace(/,\d+\).*/, ")")),
            ["misuse.ts(5)", "misuse.ts(6)", "misuse.ts(7)"],
            result,
        );
        assert.ok(fs.existsSync(path.join(project, "bin", "index.js")));
    });

    it("runs the program under Pulumi mocks: both components register, with their bundles from the installed package", async () => {
        const { stdout } = await run(process.execPath, ["run.js"], { cwd: project, env });
        const summary = JSON.parse(stdout) as Summary;
        // One @pulumi/pulumi, the program's: the package brings none of its own.
        assert.strictEqual(summary.pulumiFromPackage, summary.pulumiFromProgram);
        assert.ok(summary.pulumiFromProgram.startsWith(project + path.sep));

        const find = (type: string, name: string) => {
            const found = summary.resources.find((r) => r.type === type && r.name === name);
            assert.ok(found, `${type} ${name} was not registered`);
            return found;
        };
        find("rolepair:index:AssumableRolePair", "pair");
        find("rolepair:index:SharedDevHost", "shared");
        assert.strictEqual(
            find("aws:ec2/instance:Instance", "shared-host").parentType,
            "rolepair:index:SharedDevHost",
        );

        const bundle = (file: string) => path.join(installed, "dist", file);
        for (const file of ["verify.js", "ssm-runner.js", "host-key.js"]) {
            assert.ok(fs.existsSync(bundle(file)), `${bundle(file)} does not exist`);
        }
        // AssumableRolePair over SSH: copies the installed verify bundle, reads the host key with
        // the installed reader; SharedDevHost over SSM runs the installed runner. The triggers
        // carry the hashes of the files actually read.
        const copy = find("command:remote:CopyToRemote", "pair-copy-verify");
        assert.strictEqual(copy.sourcePath, bundle("verify.js"));
        assert.strictEqual(copy.triggers?.[0], sha256(bundle("verify.js")));
        assert.match(
            find("command:local:Command", "pair-host-key").create ?? "",
            new RegExp(`^node ${bundle("host-key.js").replace(/[.]/g, "\\.")} `),
        );
        const ssm = find("command:local:Command", "shared-verify-ssm");
        assert.match(
            ssm.create ?? "",
            new RegExp(`^node ${bundle("ssm-runner.js").replace(/[.]/g, "\\.")} `),
        );
        assert.deepStrictEqual(ssm.triggers?.slice(0, 2), [
            sha256(bundle("verify.js")),
            sha256(bundle("ssm-runner.js")),
        ]);
    });

    for (const bin of bins) {
        it(`npx ${bin} --help runs from the installed package, naming ${bin}`, async () => {
            assert.match(await helps.get(bin)!, new RegExp(`^Usage: ${bin} `));
        });
    }
});
