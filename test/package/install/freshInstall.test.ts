// The component package as `pulumi package add` gets it: a clone of the repository with no root
// node_modules, `npm ci` in pulumi-package/ only (the plugin host runs `npm install` there; ci
// installs the committed lock file exactly), then the plugin started the way the Node.js language
// host starts a source-based plugin, asked for its schema over gRPC. Needs the npm registry.
import * as assert from "assert";
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";

import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "../../../lab/cleanup";
import { InstallCache } from "../../support/installCache";
import { typeCheck as typeCheckProject } from "../../support/typeCheck";
import { packageDir, repoRoot, schemaSnapshotPath } from "../analyze";
import { committableFiles } from "../committableFiles";

/** The environment of a user's shell: none of the npm_* variables `npm run` sets for this test. */
function userEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")),
    );
}

/**
 * Copies the files git would commit (tracked, and untracked but not ignored) into `dest`: what a
 * clone of this tree holds, without the developer's node_modules, dist/ or .venv.
 */
function copyCommittableTree(dest: string): string[] {
    const files = committableFiles(repoRoot);
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
        fs.copyFileSync(path.join(repoRoot, file), path.join(dest, file));
    }
    return files;
}

/** Starts the plugin as pulumi-language-nodejs's RunPlugin does; resolves with its gRPC port. */
function startPlugin(pluginDir: string): { child: ChildProcess; port: Promise<number> } {
    // RunPlugin: `node <@pulumi/pulumi/cmd/run-plugin, resolved from the plugin directory>
    // <plugin directory> <engine address>`; the engine's address is only stored until a Construct.
    const runPlugin = createRequire(path.join(pluginDir, "package.json")).resolve(
        "@pulumi/pulumi/cmd/run-plugin",
    );
    const child = spawnGroup(process.execPath, [runPlugin, pluginDir, "127.0.0.1:1"], {
        cwd: pluginDir,
        env: userEnv(),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = new Promise<number>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (d: Buffer) => {
            stdout += d.toString();
            // The provider server prints its port, alone on the first line, when it listens.
            const line = /^(\d+)\r?\n/.exec(stdout);
            if (line) resolve(Number(line[1]));
        });
        child.once("exit", (code, signal) =>
            reject(
                new Error(
                    `the plugin exited (${code ?? signal}) before listening:\n${stdout}${stderr}`,
                ),
            ),
        );
    });
    return { child, port };
}

/** GetSchema over gRPC with the stubs @pulumi/pulumi ships, from the plugin's own install. */
async function getSchema(pluginDir: string, port: number): Promise<string> {
    const fromPlugin = createRequire(path.join(pluginDir, "package.json"));
    const fromSdk = createRequire(fromPlugin.resolve("@pulumi/pulumi/package.json"));
    const grpc = fromSdk("@grpc/grpc-js");
    const services = fromPlugin("@pulumi/pulumi/proto/provider_grpc_pb");
    const messages = fromPlugin("@pulumi/pulumi/proto/provider_pb");
    const client = new services.ResourceProviderClient(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
    );
    try {
        return await new Promise<string>((resolve, reject) =>
            client.getSchema(
                new messages.GetSchemaRequest(),
                (err: Error | null, response: { getSchema(): string }) =>
                    err ? reject(err) : resolve(response.getSchema()),
            ),
        );
    } finally {
        client.close();
    }
}

describe("component package from a fresh clone (npm ci in pulumi-package/ only)", function () {
    this.timeout(15 * 60_000);
    let clone: string;
    let pluginDir: string;
    let plugin: ChildProcess | undefined;
    let installs: InstallCache | undefined;
    let typeCheck: Promise<string> | undefined;

    before(function () {
        clone = makeTempDir("rolepair-clone-");
        const cloned = copyCommittableTree(clone);
        assert.ok(!fs.existsSync(path.join(clone, "node_modules")));
        pluginDir = path.join(clone, path.relative(repoRoot, packageDir));
        const install = ["ci", "--no-audit", "--no-fund"];
        installs = new InstallCache("plugin-install", [
            ...install,
            ...["package.json", "package-lock.json"].map((f) =>
                fs.readFileSync(path.join(pluginDir, f), "utf8"),
            ),
        ]);
        // Warm: the node_modules of an earlier `npm ci` of this same manifest and lock file, then
        // the install script npm runs after it (postinstall), on this clone's sources.
        const warm = installs.restore(pluginDir, ["node_modules"]);
        execFileSync("npm", warm ? ["run", "postinstall"] : install, {
            cwd: pluginDir,
            env: userEnv(),
            stdio: ["ignore", "ignore", "inherit"],
        });
        // What ts-node did on every start of the plugin before it ran compiled (pulumi-package/
        // plugin.js): the entry and the components it reaches type-check against the plugin
        // directory's own dependencies. Started now, so it runs beside the plugin's start. Warm:
        // the result of an earlier tsc over files of the same content (test/support/typeCheck.ts),
        // keyed also by the clone's file names (a new file can change what an import resolves to).
        typeCheck = typeCheckProject({
            use: "plugin-tsc",
            project: pluginDir,
            root: clone,
            args: ["--noEmit", "-p", "."],
            configFiles: [path.join(pluginDir, "tsconfig.json")],
            key: [repoRoot, ...cloned],
            env: userEnv(),
        }).then(
            ({ output, cached }) => {
                if (cached)
                    console.log(
                        "      tsc --noEmit: the result of an earlier run over files of the same content (CI=true runs it)",
                    );
                return output;
            },
            (e: Error) => e.message,
        );
        console.log(
            warm
                ? "      npm ci skipped: node_modules from an earlier npm ci of this lock file (CI=true installs fresh)"
                : "      npm ci: a fresh install from the registry",
        );
    });

    after(async function () {
        if (plugin) await stopGroup(plugin);
        if (typeCheck) await typeCheck;
        if (installs && fs.existsSync(path.join(pluginDir, "node_modules")))
            installs.save(pluginDir, ["node_modules"]);
        if (clone) removeTempDir(clone);
    });

    it("links the root's node_modules to the plugin's, so ../components resolve its dependencies", function () {
        const link = path.join(clone, "node_modules");
        assert.ok(fs.lstatSync(link).isSymbolicLink());
        assert.strictEqual(
            fs.realpathSync(link),
            fs.realpathSync(path.join(pluginDir, "node_modules")),
        );
    });

    it("builds every bundle, and each runs --help on plain node with no node_modules around", function () {
        const bundles = fs.readdirSync(path.join(clone, "dist")).filter((f) => f.endsWith(".js"));
        for (const expected of ["verify.js", "ssm-runner.js", "host-key.js"])
            assert.ok(bundles.includes(expected), `dist/ has ${bundles.join(", ")}`);
        // The plugin's compiled entry, which its main (plugin.js) loads.
        assert.ok(fs.existsSync(path.join(clone, "dist", "plugin", "index.js")));
        assert.strictEqual(
            createRequire(__filename).resolve(pluginDir),
            path.join(pluginDir, "plugin.cjs"),
        );
        const alone = makeTempDir("rolepair-bundle-");
        try {
            for (const bundle of bundles) {
                fs.copyFileSync(path.join(clone, "dist", bundle), path.join(alone, bundle));
                const help = execFileSync(process.execPath, [bundle, "--help"], {
                    cwd: alone,
                    env: userEnv(),
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"],
                });
                assert.match(help, /^Usage: /, `${bundle} --help`);
            }
        } finally {
            removeTempDir(alone);
        }
    });

    it("started as the Node.js language host starts it, serves pulumi-package/schema.json over gRPC", async function () {
        const started = startPlugin(pluginDir);
        plugin = started.child;
        const port = await started.port;
        const served = JSON.parse(await getSchema(pluginDir, port));
        const pinned = JSON.parse(fs.readFileSync(schemaSnapshotPath, "utf8"));
        assert.deepStrictEqual(served, pinned);
    });

    it("the entry type-checks against the plugin directory's own dependencies (tsc --noEmit)", async function () {
        assert.strictEqual(await typeCheck, "");
    });
});
