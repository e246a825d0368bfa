// The command a help text names: the npm bin's name when the user ran it through one (npx,
// node_modules/.bin, a global install: the script's basename is then the bin's), otherwise
// `node <bundle>` as typed from here, so the usage lines can be pasted back.
import * as path from "path";

/**
 * `bin` when `script` (process.argv[1]) is the npm bin link, `node <script relative to cwd>` when
 * it is the bundle itself, `node dist/<bundle>` when neither (a test runner, ts-node).
 */
export function commandName(
    bin: string,
    bundle: string,
    script: string | undefined = process.argv[1],
    cwd: string = process.cwd(),
): string {
    if (script === undefined) return `node dist/${bundle}`;
    const base = path.basename(script);
    if (base === bin || base === `${bin}.cmd`) return bin;
    if (base !== bundle) return `node dist/${bundle}`;
    const relative = path.relative(cwd, script);
    const shown = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
    return `node ${shown ? relative : script}`;
}
