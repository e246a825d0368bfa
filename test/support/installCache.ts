// Warm runs of the package layer reuse what an earlier registry install of the very same inputs
// put in node_modules, instead of installing again (tens of seconds) and deleting it afterwards
// (as long again on a loaded machine). The key is a hash of everything the install's result
// depends on: the manifest and lock file as given, the install command's arguments, Node's
// version and platform. Any change to one of them is another key, so the next run installs for
// real. The first run on a machine, and every run under CI=true (as `.ci/run` runs on a fresh
// clone), installs fresh: that is where the install itself is proven. ROLEPAIR_FRESH_INSTALL=1 asks
// for a fresh install anywhere.
//
// The cache is outside the clone and the temporary directory (`~/.cache/rolepair-test`, or under
// $XDG_CACHE_HOME), holds one entry per use, and is moved in and out by rename: no copy, no delete
// of a large tree on the warm path. Delete the directory to drop it.
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Whether this run must install from the registry whatever the cache holds. */
export function freshInstallRequired(env: NodeJS.ProcessEnv = process.env): boolean {
    const set = (v: string | undefined) =>
        v !== undefined && v !== "" && v !== "0" && v !== "false";
    return set(env.CI) || set(env.ROLEPAIR_FRESH_INSTALL);
}

/** Where the test caches live: `~/.cache/rolepair-test`, or `$XDG_CACHE_HOME/rolepair-test`. */
export function testCacheRoot(): string {
    return path.join(
        process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
        "rolepair-test",
    );
}

export class InstallCache {
    private readonly root: string;
    private readonly entry: string;

    /**
     * `use` names what is cached (one entry per use is kept); `key` is every input the install's
     * result depends on, as strings (file contents, arguments).
     */
    constructor(use: string, key: string[]) {
        this.root = path.join(testCacheRoot(), use);
        const hash = createHash("sha256");
        for (const part of [...key, process.version, process.platform, process.arch])
            hash.update(`${part.length}:${part}`);
        this.entry = path.join(this.root, hash.digest("hex").slice(0, 32));
    }

    /**
     * Moves the cached `names` (node_modules, the lock file npm wrote) into `dir`. False, with
     * nothing moved, when there is no complete entry for this key or a fresh install is required.
     */
    restore(dir: string, names: string[]): boolean {
        if (freshInstallRequired() || !fs.existsSync(path.join(this.entry, "complete")))
            return false;
        // Taken by rename: a concurrent run of the same key finds no entry and installs for real.
        const taken = `${this.entry}.taken-${process.pid}`;
        try {
            fs.renameSync(this.entry, taken);
        } catch {
            return false;
        }
        try {
            for (const name of names) fs.renameSync(path.join(taken, name), path.join(dir, name));
            return true;
        } catch {
            for (const name of names)
                fs.rmSync(path.join(dir, name), { recursive: true, force: true });
            return false;
        } finally {
            fs.rmSync(taken, { recursive: true, force: true });
        }
    }

    /**
     * Moves `names` out of `dir` into the cache under this key, replacing the older entry of this
     * use. Nothing is kept when a fresh install is required (CI): the machine may be reused.
     */
    save(dir: string, names: string[]): void {
        if (freshInstallRequired()) return;
        fs.mkdirSync(this.root, { recursive: true });
        const staging = fs.mkdtempSync(path.join(this.root, "staging-"));
        try {
            for (const name of names) fs.renameSync(path.join(dir, name), path.join(staging, name));
            fs.writeFileSync(path.join(staging, "complete"), "");
            // Older entries (another lock file); not another run's staging or taken directory.
            for (const old of fs.readdirSync(this.root).filter((n) => /^[0-9a-f]{32}$/.test(n)))
                fs.rmSync(path.join(this.root, old), { recursive: true, force: true });
            fs.renameSync(staging, this.entry);
        } catch {
            // Another run saved the same key meanwhile, or a name was missing: keep what is there.
            fs.rmSync(staging, { recursive: true, force: true });
        }
    }
}
