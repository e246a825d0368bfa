// The machine's own Node, outside the PATH that CI and `. scripts/node-runtime.sh` put a supported
// Node on: Debian's Node 20 here and in CI, the Node a newcomer's new shell starts with.
import { execFileSync } from "child_process";
import * as fs from "fs";

export interface MachineNode {
    binary: string;
    /** `node --version`, as the programs print it ("v20.20.2"). */
    version: string;
    major: number;
}

export function machineNode(): MachineNode | undefined {
    for (const binary of ["/usr/bin/node", "/usr/local/bin/node"]) {
        if (!fs.existsSync(binary)) continue;
        const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
        return { binary, version, major: Number(/^v(\d+)\./.exec(version)?.[1]) };
    }
    return undefined;
}
