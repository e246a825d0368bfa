// The credential agent's bundle (dist/credential-agent.js) and the IMDS lock (dist/imds-lock.nft),
// as the agent installer carries them to the host. A bundle that runs the installer has them
// inlined at build time (scripts/bundle.mjs may define __ROLEPAIR_CREDENTIAL_AGENT__ and
// __ROLEPAIR_IMDS_LOCK__); the components and the tests read them from the package's dist/.
import * as fs from "fs";
import * as path from "path";

declare const __ROLEPAIR_CREDENTIAL_AGENT__: string | undefined;
declare const __ROLEPAIR_IMDS_LOCK__: string | undefined;

export const credentialAgentBundleName = "credential-agent.js";
export const imdsLockFileName = "imds-lock.nft";

const cached = new Map<string, string>();

/** dist/NAME in the nearest directory above this file that has one; throws saying how to build. */
function readDist(name: string): string {
    const known = cached.get(name);
    if (known !== undefined) return known;
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "dist", name);
        if (fs.existsSync(candidate)) {
            const text = fs.readFileSync(candidate, "utf8");
            cached.set(name, text);
            return text;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(
                `dist/${name} not found above ${__dirname}: build it with "npm run build" (scripts/bundle.mjs)`,
            );
        }
    }
}

/** The agent program's text. */
export function credentialAgentProgram(): string {
    if (typeof __ROLEPAIR_CREDENTIAL_AGENT__ === "string") return __ROLEPAIR_CREDENTIAL_AGENT__;
    return readDist(credentialAgentBundleName);
}

/** The nftables rule set, loaded as is with `nft -f`. */
export function imdsLockRules(): string {
    if (typeof __ROLEPAIR_IMDS_LOCK__ === "string") return __ROLEPAIR_IMDS_LOCK__;
    return readDist(imdsLockFileName);
}
