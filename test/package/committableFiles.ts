// The files a clone of this tree would hold: tracked, and untracked but not ignored (no
// node_modules, dist/, lib/ or .venv), relative to the repository, those that exist, sorted (git
// lists the untracked after the tracked: committing one must not change the list).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export function committableFiles(repoRoot: string): string[] {
    return execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: repoRoot,
        encoding: "utf8",
    })
        .split("\0")
        .filter((f) => f !== "" && fs.existsSync(path.join(repoRoot, f)))
        .sort();
}
