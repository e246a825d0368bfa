// The SDKs Pulumi's code generators make from pulumi-package/schema.json (test/package/codegen,
// built into .tools/rolepair-codegen), the generated Python SDK installed as `pulumi install`
// installs it, and where the examples on them are built and type-checked.
//
// Warm runs keep all of it at paths that stay the same from one run to the next, per checkout,
// under the test cache (`~/.cache/rolepair-test/package-sdks/<checkout>`): Go's build cache and
// mypy's cache key what they compiled and checked by path and content, so in a new temporary
// directory every run they did it all again (Go 12.6 s of CPU → 5 s, measured). The generated SDKs
// and the site are kept by the SHA-256 of what makes them: schema.json, the generator's binary and
// the Python packages that install them; a change to any of these generates and installs again.
// The Go example is copied anew on every run (Go's cache then finds what did not change). CI=true
// and ROLEPAIR_FRESH_INSTALL=1 do everything in this run's temporary directory, from scratch.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { freshInstallRequired, testCacheRoot } from "../../support/installCache";
import { repoRoot, schemaSnapshotPath } from "../analyze";

export const codegen = path.join(repoRoot, ".tools", "rolepair-codegen");
export const python = path.join(repoRoot, ".venv-pysdk", "bin", "python");

export interface GeneratedSdks {
    /** sdks/{python,go,nodejs}, as the generator wrote them. */
    sdks: string;
    /** The generated Python SDK installed (pip --target): PYTHONPATH / MYPYPATH. */
    site: string;
    /** Where the Go example is copied to build on each Go SDK. */
    goBuilds: string;
    /** mypy's --cache-dir. */
    mypyCache: string;
    /** Whether the SDKs and the site are an earlier run's, generated from the same inputs. */
    reused: boolean;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Everything the generated SDKs and the installed site are made from. */
function generationKey(): string {
    const lib = path.join(repoRoot, ".venv-pysdk", "lib");
    const installers = fs
        .readdirSync(lib)
        .flatMap((version) => fs.readdirSync(path.join(lib, version, "site-packages")))
        .filter((name) => name.endsWith(".dist-info"))
        .sort();
    return sha256(
        [
            sha256(fs.readFileSync(schemaSnapshotPath)),
            sha256(fs.readFileSync(codegen)),
            fs.readFileSync(path.join(repoRoot, ".venv-pysdk", "pyvenv.cfg"), "utf8"),
            ...installers,
        ].join("\n"),
    );
}

function generate(dir: string): void {
    const sdks = path.join(dir, "sdks");
    execFileSync(codegen, ["-schema", schemaSnapshotPath, "-out", sdks], { stdio: "pipe" });
    // Metadata included: the SDK reads its own version from it.
    execFileSync(
        python,
        [
            ...["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"],
            ...["--no-deps", "--no-build-isolation", "--no-compile"],
            ...["--target", path.join(dir, "site"), path.join(sdks, "python")],
        ],
        { stdio: "pipe" },
    );
}

/** Generates (or, warm, finds) the SDKs; `work` is this run's temporary directory. */
export function generateSdks(work: string): GeneratedSdks {
    if (freshInstallRequired()) {
        generate(work);
        return {
            sdks: path.join(work, "sdks"),
            site: path.join(work, "site"),
            goBuilds: work,
            mypyCache: path.join(work, "mypy-cache"),
            reused: false,
        };
    }
    const place = path.join(testCacheRoot(), "package-sdks", sha256(repoRoot).slice(0, 16));
    const generated = path.join(place, "generated");
    const keyFile = path.join(generated, "key");
    const key = generationKey();
    const reused = fs.existsSync(keyFile) && fs.readFileSync(keyFile, "utf8") === key;
    if (!reused) {
        fs.rmSync(generated, { recursive: true, force: true });
        fs.mkdirSync(generated, { recursive: true });
        generate(generated);
        // Last: an interrupted generation has no key and is done again.
        fs.writeFileSync(keyFile, key);
    }
    const goBuilds = path.join(place, "go");
    fs.mkdirSync(goBuilds, { recursive: true });
    return {
        sdks: path.join(generated, "sdks"),
        site: path.join(generated, "site"),
        goBuilds,
        mypyCache: path.join(place, "mypy-cache"),
        reused,
    };
}
