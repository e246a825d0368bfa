// Where this package's files are, wherever npm put it: the nearest directory above this module
// that holds a package.json. From source (components/, under ts-node, the stack program or the
// pulumi-package plugin) that is the repository; from the compiled lib/components/ of an installed
// package it is node_modules/rolepair. The bundles the components deploy or run sit in its dist/.
import * as fs from "fs";
import * as path from "path";

export function findPackageRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json"))) return dir;
        if (path.dirname(dir) === dir) {
            throw new Error(`rolepair: no package.json in ${from} or any directory above it`);
        }
    }
}

/** A bundle built by `npm run build` (scripts/bundle.mjs) into this package's dist/. */
export function packagedBundlePath(file: string): string {
    return path.join(findPackageRoot(__dirname), "dist", file);
}
