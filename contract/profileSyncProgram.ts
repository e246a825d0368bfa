// The profile sync program's bundle (dist/profile-sync.js), as the installer carries it to the
// host. The operator tools' bundles have it inlined at build time (scripts/bundle.mjs defines
// __ROLEPAIR_PROFILE_SYNC__); the components and the tests read it from the package's dist/.
import * as fs from "fs";
import * as path from "path";

declare const __ROLEPAIR_PROFILE_SYNC__: string | undefined;

export const profileSyncBundleName = "profile-sync.js";

/** dist/profile-sync.js in the nearest directory above this file that has one. */
function findBundle(): string | undefined {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "dist", profileSyncBundleName);
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(dir) === dir) return undefined;
    }
}

let cached: string | undefined;

/** The program's text; throws, saying how to build it, when there is none. */
export function profileSyncProgram(): string {
    if (typeof __ROLEPAIR_PROFILE_SYNC__ === "string") return __ROLEPAIR_PROFILE_SYNC__;
    if (cached !== undefined) return cached;
    const file = findBundle();
    if (file === undefined) {
        throw new Error(
            `dist/${profileSyncBundleName} not found above ${__dirname}: build it with "npm run build" (scripts/bundle.mjs)`,
        );
    }
    cached = fs.readFileSync(file, "utf8");
    return cached;
}
