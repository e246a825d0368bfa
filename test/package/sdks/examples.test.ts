// The SDKs other languages get, generated from pulumi-package/schema.json by Pulumi's own code
// generators (test/package/codegen, pkg/v3 v3.274.1, built by `setup-test-tools.sh codegen`), and
// the examples run on them under each SDK's mocks: the inputs every component is registered with
// must be the ones the examples mean, in Python, Go and YAML alike. Needs Go and .venv-pysdk.
import * as assert from "assert";
import { execFileSync, ExecFileSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { repoRoot, schemaSnapshotPath } from "../analyze";
import { codegen, generateSdks, python } from "./generated";

const sshIngressCidr = "203.0.113.7/32";
const goSdkSchema = path.join(repoRoot, "scripts", "go-sdk-schema.mjs");
let mypyCache: string;

/** What examples/{python,go,yaml} register, by "<type> <name>", with sshIngressCidr set as above. */
const expectedInputs = {
    "rolepair:index:SharedDevHost services": {
        services: {
            "service-a": {},
            "service-b": { objectActions: ["s3:GetObject", "s3:PutObject"] },
            "service-c": { trustMode: "account-root", maxSessionDuration: 7200 },
        },
        sshIngressCidr,
    },
    "rolepair:index:AssumableRolePair pair": {
        trustMode: "role",
        awsProfileName: "target",
        sshIngressCidr,
    },
};

/** Generated type names with a doubled suffix (`SharedServiceArgsArgs`, `FooOutputOutput`). */
export function doubledNames(text: string): string[] {
    return [...new Set(text.match(/\b\w*?(Args|Output|Input)\1\w*\b/g) ?? [])];
}

function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
    return execFileSync(command, args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        ...options,
    }) as string;
}

/** Runs and expects failure; returns stdout and stderr together. */
function runFailing(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
    try {
        run(command, args, options);
    } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        return `${err.stdout ?? ""}${err.stderr ?? ""}`;
    }
    throw new Error(`${command} ${args.join(" ")} succeeded`);
}

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
}

/**
 * A copy of examples/go with the SDK in sdks/rolepair, where its go.mod's replace line points;
 * copied anew each time, so nothing of an earlier run's copy is left in it.
 */
function goExampleOn(builds: string, sdk: string): string {
    const dir = path.join(builds, `example-${path.basename(sdk)}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(path.join(repoRoot, "examples", "go"), dir, {
        recursive: true,
        filter: (f) => !f.includes(`${path.sep}sdks`),
    });
    fs.cpSync(sdk, path.join(dir, "sdks", "rolepair"), { recursive: true });
    return dir;
}

describe("SDKs from Pulumi's codegen, and the examples on them", function () {
    this.timeout(10 * 60_000);
    let work: string;
    let sdks: string;
    let site: string;
    let goBuilds: string;

    before(function () {
        for (const [tool, layer] of [
            [codegen, "codegen"],
            [python, "pysdk"],
        ]) {
            if (!fs.existsSync(tool))
                throw new Error(
                    `${tool} is missing: run bash scripts/setup-test-tools.sh ${layer}`,
                );
        }
        work = makeTempDir("rolepair-sdks-");
        const generated = generateSdks(work);
        ({ sdks, site, goBuilds, mypyCache } = generated);
        console.log(
            generated.reused
                ? "      SDKs: generated earlier from the same schema.json and generator (CI=true generates)"
                : "      SDKs: generated",
        );
    });

    after(function () {
        if (work) removeTempDir(work);
    });

    it("doubledNames finds a doubled suffix and nothing else", function () {
        assert.deepStrictEqual(
            doubledNames(
                "class SharedServiceArgsArgs: ... SharedServiceOutputOutput SharedServiceArgs",
            ),
            ["SharedServiceArgsArgs", "SharedServiceOutputOutput"],
        );
    });

    it("Python, Go and Node.js SDKs are generated, with no doubled type name in any file", function () {
        const files = filesUnder(sdks);
        const doubled = files.flatMap((f) =>
            doubledNames(fs.readFileSync(f, "utf8")).map((n) => `${path.relative(sdks, f)}: ${n}`),
        );
        assert.deepStrictEqual(doubled, []);
        // The names docs/multi-language.md tells users to type.
        const has = (file: string, pattern: RegExp) =>
            assert.match(fs.readFileSync(path.join(sdks, file), "utf8"), pattern, file);
        has("python/pulumi_rolepair/_inputs.py", /^class SharedServiceArgs:/m);
        has(
            "python/pulumi_rolepair/shared_dev_host.py",
            /^class SharedDevHost\(pulumi\.ComponentResource\)/m,
        );
        has("go/rolepair/sharedDevHost.go", /^func NewSharedDevHost\(/m);
        has("nodejs/types/input.ts", /export interface SharedServiceArgs \{/);
        has(
            "nodejs/sharedDevHost.ts",
            /export class SharedDevHost extends pulumi\.ComponentResource/,
        );
    });

    it("the Go SDK as `pulumi package add` generates it does not compile (Pulumi's Go generator leaves SharedServiceArgs undefined)", function () {
        // Pinned so that a pkg/v3 with the fix fails here: then build examples/go on the plain SDK
        // and drop the generateExtraInputTypes variant (test/package/codegen/main.go says why).
        const dir = goExampleOn(goBuilds, path.join(sdks, "go"));
        const output = runFailing("go", ["vet", "./..."], { cwd: dir });
        assert.match(output, /sharedDevHost\.go:\d+:\d+: undefined: SharedServiceArgs/);
    });

    it("scripts/go-sdk-schema.mjs refuses what is not a schema, naming its input", function () {
        const notSchema = path.join(work, "not-a-schema.json");
        fs.writeFileSync(notSchema, "[1]");
        for (const [file, error] of [
            [
                notSchema,
                /not-a-schema\.json: not a Pulumi package schema: expected an object with a "name", got \[1\]/,
            ],
            [path.join(work, "missing.json"), /missing\.json: ENOENT/],
        ] as const) {
            try {
                run("node", [goSdkSchema, file]);
                assert.fail(`go-sdk-schema accepted ${file}`);
            } catch (e) {
                const err = e as { status?: number; stderr?: string };
                assert.strictEqual(err.status, 2);
                assert.match(err.stderr ?? "", error);
            }
        }
    });

    it("examples/go builds on the Go SDK generated from scripts/go-sdk-schema.mjs's schema (the step docs/multi-language.md gives Go users), and under the Go SDK's mocks registers the expected inputs and gets the components' outputs", function () {
        // The plain Go generator, as `pulumi package gen-sdk --language go` runs it, on the schema
        // the script writes: the Go options come from the script, not from test/package/codegen.
        const schema = path.join(work, "rolepair-go.json");
        fs.writeFileSync(schema, run("node", [goSdkSchema, schemaSnapshotPath]));
        const generated = path.join(work, "go-sdk-schema");
        run(codegen, ["-schema", schema, "-out", generated]);
        assert.match(
            fs.readFileSync(path.join(generated, "go", "go.mod"), "utf8"),
            /^module example\.com\/pulumi-rolepair\/sdk\/go$/m,
        );
        // The name docs/multi-language.md tells Go users to type, which the plain schema's SDK lacks.
        assert.match(
            fs.readFileSync(path.join(generated, "go", "rolepair", "pulumiTypes.go"), "utf8"),
            /^type SharedServiceArgs struct/m,
        );
        const dir = goExampleOn(goBuilds, path.join(generated, "go"));
        const recorded = path.join(work, "go-inputs.json");
        run("go", ["test", "-count=1", "./..."], {
            cwd: dir,
            env: { ...process.env, ROLEPAIR_INPUTS_OUT: recorded },
        });
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(recorded, "utf8")), expectedInputs);
    });

    it("examples/python type-checks against the generated SDK (mypy --strict)", function () {
        run(python, mypyArgs(path.join(repoRoot, "examples", "python", "__main__.py")), {
            env: { ...process.env, MYPYPATH: site },
        });
    });

    it("mypy is strict enough to reject a wrong argument name and a wrong enum member", function () {
        const source = fs.readFileSync(
            path.join(repoRoot, "examples", "python", "__main__.py"),
            "utf8",
        );
        const mistakes = [
            [
                "trust_mode=rolepair.TrustMode.ROLE",
                "trust_mode_x=rolepair.TrustMode.ROLE",
                /wrong_name\.py:\d+: error: Unexpected keyword argument "trust_mode_x"/,
            ],
            [
                "rolepair.ObjectAction.GET_OBJECT",
                "rolepair.ObjectAction.GET_OBJECTS",
                /wrong_enum\.py:\d+: error: .*has no attribute "GET_OBJECTS"/,
            ],
        ] as const;
        const files = mistakes.map(([from, to], i) => {
            assert.ok(source.includes(from), `examples/python/__main__.py no longer has ${from}`);
            const file = path.join(work, i === 0 ? "wrong_name.py" : "wrong_enum.py");
            fs.writeFileSync(file, source.replace(from, to));
            return file;
        });
        const output = runFailing(python, mypyArgs(...files), {
            env: { ...process.env, MYPYPATH: site },
        });
        for (const [, , error] of mistakes) assert.match(output, error);
    });

    it("examples/python registers the expected inputs under the Python SDK's mocks", function () {
        const output = run(
            python,
            [path.join(__dirname, "run_python_example.py"), "__main__.py", "rolepair-python"],
            {
                cwd: path.join(repoRoot, "examples", "python"),
                // No .pyc files written into the site a later run reuses.
                env: { ...process.env, PYTHONPATH: site, PYTHONDONTWRITEBYTECODE: "1" },
            },
        );
        assert.deepStrictEqual(JSON.parse(output), expectedInputs);
    });

    it("each example's Pulumi.yaml names the component package in this clone under packages:", function () {
        for (const language of ["go", "python", "yaml"]) {
            const dir = path.join(repoRoot, "examples", language);
            const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
                packages?: Record<string, string>;
            };
            assert.deepStrictEqual(Object.keys(project.packages ?? {}), ["rolepair"], language);
            const plugin = path.resolve(dir, project.packages!.rolepair);
            assert.strictEqual(plugin, path.join(repoRoot, "pulumi-package"), language);
            assert.ok(fs.existsSync(path.join(plugin, "PulumiPlugin.yaml")), language);
        }
    });

    it("examples/yaml declares the same inputs", function () {
        const program = parseYaml(
            fs.readFileSync(path.join(repoRoot, "examples", "yaml", "Pulumi.yaml"), "utf8"),
        ) as { resources: Record<string, { type: string; properties: unknown }> };
        const declared = Object.fromEntries(
            Object.entries(program.resources).map(([name, r]) => [
                `${r.type} ${name}`,
                JSON.parse(
                    JSON.stringify(r.properties).replaceAll("${sshIngressCidr}", sshIngressCidr),
                ),
            ]),
        );
        assert.deepStrictEqual(declared, expectedInputs);
    });
});

/**
 * mypy --strict on the files; the SDK's and pulumi's own code is followed but not reported on. The
 * cache (./generated.ts: kept between warm runs, this run's own under CI) is mypy's own, which
 * checks each module again when its file changed; the second check reuses the first's.
 */
function mypyArgs(...files: string[]): string[] {
    return [
        "-m",
        "mypy",
        "--strict",
        "--follow-imports=silent",
        "--cache-dir",
        mypyCache,
        ...files,
    ];
}
