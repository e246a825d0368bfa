// Whether the bundles in dist/ are already built from the sources as they are now: `npm run build`
// builds them, and `npm test`, `npm run demo` and `npm pack`'s prepack would build them again.
// A stamp beside the bundles records the SHA-256 of every input esbuild read (its metafile: our
// sources and the node_modules files bundled) and of every output; a build is skipped only when
// every one of them is unchanged. A changed, added or removed import changes a recorded input, so
// it rebuilds; content hashes, not times, so a checkout or copy that touches files does not matter.
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");

function sha256(file) {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Hashes of `files` (relative to `root`); undefined for a file that no longer exists. */
function hashes(root, files) {
    const out = {};
    for (const file of files) {
        const full = path.join(root, file);
        out[file] = fs.existsSync(full) ? sha256(full) : undefined;
    }
    return out;
}

/**
 * Whether the stamp at `stampPath` still describes `root`: every recorded input and output has
 * the recorded content, and `extraInputs` (the build script itself) are among the inputs.
 */
function isUpToDate(root, stampPath, extraInputs = []) {
    if (!fs.existsSync(stampPath)) return false;
    let stamp;
    try {
        stamp = JSON.parse(fs.readFileSync(stampPath, "utf8"));
    } catch {
        return false;
    }
    if (!stamp || typeof stamp.inputs !== "object" || typeof stamp.outputs !== "object")
        return false;
    if (!extraInputs.every((file) => file in stamp.inputs)) return false;
    for (const group of [stamp.inputs, stamp.outputs]) {
        const now = hashes(root, Object.keys(group));
        for (const [file, hash] of Object.entries(group)) {
            if (hash === undefined || now[file] !== hash) return false;
        }
    }
    return true;
}

/** Records `inputs` and `outputs` (paths relative to `root`) with their current content hashes. */
function writeStamp(root, stampPath, inputs, outputs) {
    const stamp = {
        inputs: hashes(root, [...new Set(inputs)].sort()),
        outputs: hashes(root, [...new Set(outputs)].sort()),
    };
    fs.writeFileSync(stampPath, `${JSON.stringify(stamp, null, 1)}\n`);
}

module.exports = { isUpToDate, writeStamp };
