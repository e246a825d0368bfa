// An update run of a checked-in snapshot (UPDATE_SNAPSHOTS=1, UPDATE_SCHEMA=1) rewrites the file
// and then fails, with the diff it made: a suite run in that mode compares the code with itself,
// so it must never pass (a CI job that sets the variable by mistake fails instead of hiding drift).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** What an update run changed in one snapshot file. */
export interface SnapshotUpdate {
    file: string;
    variable: string;
    diff: string;
}

/** Writes `text` to `file` (it may be formatted after) and returns the old text to diff against. */
export function rewriteSnapshot(file: string, text: string): string {
    const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    fs.writeFileSync(file, text);
    return old;
}

/** The unified diff between `old` and the file as it is now ("no change" when equal). */
export function snapshotUpdate(file: string, variable: string, old: string): SnapshotUpdate {
    const now = fs.readFileSync(file, "utf8");
    if (now === old) return { file, variable, diff: "no change" };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-snapshot-"));
    try {
        const before = path.join(dir, "before");
        fs.writeFileSync(before, old);
        const result = spawnSync(
            "diff",
            ["-u", "--label", "before", "--label", "after", before, file],
            {
                encoding: "utf8",
            },
        );
        const diff = result.stdout || `${old.length} characters before, ${now.length} after`;
        // A long diff is cut: the whole of it is `git diff` of the file.
        return {
            file,
            variable,
            diff: diff.length > 20_000 ? `${diff.slice(0, 20_000)}\n…` : diff,
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The failure an update run ends with. */
export function updateRunFailure(update: SnapshotUpdate): Error {
    return new Error(
        `${update.variable}=1 rewrote ${update.file}, so this run compared the code with itself and fails by design. ` +
            `Review the change (git diff), commit it if intended, and run the suite again without ${update.variable}.\n` +
            update.diff,
    );
}
