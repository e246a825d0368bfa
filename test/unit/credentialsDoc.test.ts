// docs/credentials.md shows users the agent's paths, variables and commands: each must be the one
// the contract (contract/credentialAgent.ts) makes, so the doc cannot drift from the host.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import {
    agentAddress,
    agentCredentialProcess,
    agentEnvironment,
    agentGroupName,
    agentServicesFile,
    agentUnit,
    agentUser,
    imdsLockUnit,
} from "../../contract/credentialAgent";
import { profileSyncUnit } from "../../contract/profileSync";
import { repoRoot } from "../../lab/program";

describe("docs/credentials.md", () => {
    const doc = fs.readFileSync(path.join(repoRoot, "docs", "credentials.md"), "utf8");
    const flat = doc.replace(/\s+/g, " ");

    it("shows the variables the agent's contract gives service-a", () => {
        for (const [name, value] of Object.entries(agentEnvironment("service-a"))) {
            assert.ok(doc.includes(`${name}=${value}`), `${name}=${value}`);
            assert.ok(doc.includes(`${name}: ${value}`), `compose: ${name}: ${value}`);
        }
    });

    it("names the host's paths, user, group and units as the contract does", () => {
        for (const expected of [
            `${agentAddress}:80`,
            agentServicesFile,
            agentUser,
            agentGroupName("service-a"),
            `systemctl start ${profileSyncUnit}.service`,
            `systemctl reload ${agentUnit}`,
            `\`${imdsLockUnit}\``,
        ]) {
            assert.ok(doc.includes(expected), expected);
        }
        // The doc shortens /usr/local/bin/node to node; the rest is the profile's line.
        const process = agentCredentialProcess("service-a").replace("/usr/local/bin/node", "node");
        assert.ok(flat.includes(process), process);
    });
});
