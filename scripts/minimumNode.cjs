// The oldest Node the project runs on: package.json's `engines.node` (">=N"), the one copy of that
// rule. The bundles' start-up guard (scripts/bundle.mjs) and the demo's first check read it here.
const fs = require("fs");
const path = require("path");

/** N from package.json's `engines.node: ">=N"`; throws when the field reads anything else. */
function minimumNode(root = path.join(__dirname, "..")) {
    const engines = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines;
    const major = Number(/^>=(\d+)$/.exec(engines?.node ?? "")?.[1]);
    if (!Number.isInteger(major)) {
        throw new Error(
            `package.json engines.node must read >=N; it reads ${JSON.stringify(engines?.node)}`,
        );
    }
    return major;
}

/** Whether `version` (process.versions.node, "20.20.2") is older than the minimum. */
function isTooOld(version, minimum = minimumNode()) {
    return Number(version.split(".")[0]) < minimum;
}

module.exports = { minimumNode, isTooOld };
