// The plugin's entry (package.json "main"), as the Node.js language host loads it: the components
// compiled into <repository>/dist/plugin/index.js by scripts/bundle.mjs, which this directory's
// postinstall (install.mjs) runs. Not index.ts through ts-node: run-plugin registers ts-node with
// type checking on, and checking the components against @pulumi/aws's declarations took tens of
// seconds on every start of the plugin, i.e. every `pulumi preview` and `pulumi up`. The code is
// type-checked where it is built (`npm run build`, CI). index.ts stays the source of the entry:
// the schema analyzer reads the components' types from it.
"use strict";
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "..", "dist", "plugin", "index.js");
if (!fs.existsSync(compiled)) {
    throw new Error(
        `rolepair: ${compiled} is missing: run \`npm install\` in ${__dirname} (its postinstall ` +
            "builds it), or `node scripts/bundle.mjs` at the repository root",
    );
}
module.exports = require(compiled);
