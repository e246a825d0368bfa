// The warm-run cache of the package layer's installs (test/support/installCache.ts): a saved
// install comes back only for the same key, only once, and never under CI=true.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { withIsolatedCacheHome } from "../../support/cacheHome";
import { freshInstallRequired, InstallCache } from "../../support/installCache";

describe("the package layer's install cache", function () {
    const workDir = withIsolatedCacheHome("rolepair-install-cache-");

    function emptyDir(name: string): string {
        const dir = path.join(workDir(), name);
        fs.mkdirSync(dir);
        return dir;
    }

    /** A project directory holding node_modules/marker with `content`. */
    function project(name: string, content?: string): string {
        const dir = path.join(workDir(), name);
        fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
        if (content !== undefined)
            fs.writeFileSync(path.join(dir, "node_modules", "marker"), content);
        return dir;
    }

    it("a fresh install is required under CI=true or ROLEPAIR_FRESH_INSTALL=1 only", function () {
        assert.strictEqual(freshInstallRequired({}), false);
        assert.strictEqual(freshInstallRequired({ CI: "true" }), true);
        assert.strictEqual(freshInstallRequired({ CI: "1" }), true);
        assert.strictEqual(freshInstallRequired({ CI: "false" }), false);
        assert.strictEqual(freshInstallRequired({ CI: "" }), false);
        assert.strictEqual(freshInstallRequired({ ROLEPAIR_FRESH_INSTALL: "1" }), true);
    });

    it("gives a saved install back once, for the same key only", function () {
        const first = project("first", "installed");
        new InstallCache("use", ["lock A"]).save(first, ["node_modules"]);
        assert.ok(!fs.existsSync(path.join(first, "node_modules")), "moved, not copied");

        const other = emptyDir("other");
        assert.strictEqual(
            new InstallCache("use", ["lock B"]).restore(other, ["node_modules"]),
            false,
        );
        assert.strictEqual(
            new InstallCache("other-use", ["lock A"]).restore(other, ["node_modules"]),
            false,
        );

        const second = emptyDir("second");
        assert.strictEqual(
            new InstallCache("use", ["lock A"]).restore(second, ["node_modules"]),
            true,
        );
        assert.strictEqual(
            fs.readFileSync(path.join(second, "node_modules", "marker"), "utf8"),
            "installed",
        );
        const third = emptyDir("third");
        assert.strictEqual(
            new InstallCache("use", ["lock A"]).restore(third, ["node_modules"]),
            false,
        );
    });

    it("a newer key replaces the older entry", function () {
        new InstallCache("use", ["lock A"]).save(project("a", "A"), ["node_modules"]);
        new InstallCache("use", ["lock B"]).save(project("b", "B"), ["node_modules"]);
        const dir = emptyDir("c");
        assert.strictEqual(
            new InstallCache("use", ["lock A"]).restore(dir, ["node_modules"]),
            false,
        );
        assert.strictEqual(
            new InstallCache("use", ["lock B"]).restore(dir, ["node_modules"]),
            true,
        );
    });

    it("under CI=true keeps nothing and gives nothing back", function () {
        const dir = project("a", "A");
        process.env.CI = "true";
        new InstallCache("use", ["lock A"]).save(dir, ["node_modules"]);
        assert.ok(fs.existsSync(path.join(dir, "node_modules", "marker")), "left in place");
        delete process.env.CI;
        new InstallCache("use", ["lock A"]).save(dir, ["node_modules"]);
        process.env.CI = "true";
        const other = emptyDir("other");
        assert.strictEqual(
            new InstallCache("use", ["lock A"]).restore(other, ["node_modules"]),
            false,
        );
    });
});
