// For tests of the package layer's warm-run caches: each test gets its own temp dir, with the
// cache under it (XDG_CACHE_HOME) and CI / ROLEPAIR_FRESH_INSTALL unset (they turn the caches off);
// the environment is put back and the dir removed after each test.
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../lab/cleanup";

const cacheSwitches = ["XDG_CACHE_HOME", "CI", "ROLEPAIR_FRESH_INSTALL"] as const;

/** Registers the hooks in the calling describe; returns the current test's temp dir. */
export function withIsolatedCacheHome(prefix: string): () => string {
    const saved = { ...process.env };
    let work = "";
    beforeEach(function () {
        work = makeTempDir(prefix);
        process.env.XDG_CACHE_HOME = path.join(work, "cache");
        delete process.env.CI;
        delete process.env.ROLEPAIR_FRESH_INSTALL;
    });
    afterEach(function () {
        for (const key of cacheSwitches) {
            if (saved[key] === undefined) delete process.env[key];
            else process.env[key] = saved[key];
        }
        removeTempDir(work);
    });
    return () => work;
}
