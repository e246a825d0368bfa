// The lock's file names the agent by the contract's address and port, and its rations fit the
// agent's own connection limit: what is left for this host's processes is never taken from outside.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { agentAddress, agentPort } from "../../../contract/credentialAgent";
import { serverLimits } from "../../../verify/host/agent/server";
import { lockRations } from "../../support/lockRations";

const rules = fs.readFileSync(
    path.join(__dirname, "../../../verify/host/agent/imds-lock.nft"),
    "utf8",
);
const agentRules = rules.split("\n").filter((line) => /ct count over/.test(line));

describe("the IMDS lock's connection rations", () => {
    it("count connections to the agent's address and port, three rules", () => {
        assert.strictEqual(agentRules.length, 3, agentRules.join("\n"));
        for (const line of agentRules) {
            assert.ok(line.includes(`ip daddr ${agentAddress} tcp dport ${agentPort} `), line);
            assert.match(line, /ct state new .* reject with tcp reset$/);
        }
    });

    it("leave this host's processes at least half the agent's connections", () => {
        const { perUid, perAddress, fromOutside } = lockRations(rules);
        assert.ok(perUid > 0 && perAddress > 0, rules);
        assert.ok(perAddress < fromOutside, "one address below the outside's share");
        assert.ok(fromOutside * 2 <= serverLimits.maxConnections, "the outside's share ≤ half");
        assert.ok(perUid < serverLimits.maxConnections - fromOutside, "one UID below the rest");
    });
});
