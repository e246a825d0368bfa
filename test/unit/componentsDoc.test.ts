// docs/components.md's resource table names every resource the components create: each logical
// name the component code builds (`${name}-<suffix>`) appears in the table as `<name>-<suffix>`
// or `<prefix>-<suffix>` (bucket children as `<prefix>-bucket…`).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { repoRoot } from "../../lab/program";

describe("docs/components.md's resource table", () => {
    it("lists every logical name suffix the components create", () => {
        const doc = fs.readFileSync(path.join(repoRoot, "docs", "components.md"), "utf8");
        const table = doc.slice(doc.indexOf("| part"), doc.indexOf("\n\n", doc.indexOf("| part")));
        const dir = path.join(repoRoot, "components");
        const suffixes = new Set<string>();
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
            const source = fs.readFileSync(path.join(dir, file), "utf8");
            for (const match of source.matchAll(/`\$\{name\}-([a-z-]+)`/g)) suffixes.add(match[1]);
        }
        assert.ok(suffixes.has("host-key"), [...suffixes].join(", "));
        const missing = [...suffixes].filter(
            (suffix) =>
                !table.includes(`<name>-${suffix}\``) &&
                !table.includes(`<prefix>-${suffix}\``) &&
                !(suffix.startsWith("bucket") && table.includes("`<prefix>-bucket…`")),
        );
        assert.deepStrictEqual(missing, []);
    });
});
