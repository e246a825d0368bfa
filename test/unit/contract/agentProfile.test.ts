// A profile parameter with the credential agent on (contract/profileParameters.ts's `agent` key):
// the users allowed the service travel as data, and the host renders a credential_process block
// that reads the service's token, written out literally.
import * as assert from "assert";

import {
    parseProfileParameter,
    ProfileParameterError,
    profileParameterValue,
    renderProfilesConfig,
} from "../../../contract/profileParameters";

const path = "/rolepair/p/dev/host/profiles";
const roleArn = "arn:aws:iam::123456789012:role/service-a";

describe("profile parameters with the credential agent", () => {
    it("carry the users and render a credential_process block from the agent's program", () => {
        const profile = {
            name: "service-a",
            roleArn,
            region: "us-east-1",
            externalId: "ext-1",
            agent: { users: ["ec2-user", "alice"] },
        };
        const value = profileParameterValue(profile);
        assert.strictEqual(
            value,
            `{"v":1,"roleArn":"${roleArn}","region":"us-east-1","externalId":"ext-1","agent":{"users":["ec2-user","alice"]}}`,
        );
        assert.deepStrictEqual(parseProfileParameter(path, `${path}/service-a`, value), profile);
        assert.strictEqual(
            renderProfilesConfig([profile]),
            [
                "[profile service-a]",
                "credential_process = /usr/local/bin/node /usr/local/lib/rolepair/credential-agent.js --print-credentials --token-file /etc/rolepair/agent/tokens/service-a",
                "region = us-east-1",
                "",
            ].join("\n"),
        );
    });

    const refused: [string, unknown, RegExp][] = [
        ["a user name with a line break", { users: ["ec2-user\nroot"] }, /users\[0\]/],
        ["a user name with a shell character", { users: ["a;b"] }, /users\[0\].*Unix user name/],
        ["a duplicate user", { users: ["bob", "bob"] }, /users\[1\] "bob": named twice/],
        ["an unknown key", { users: [], group: "wheel" }, /unknown key "group"/],
        ["users that are not a list", { users: "bob" }, /users: expected a list/],
        ["seventeen users", { users: Array.from({ length: 17 }, (_, i) => `u${i}`) }, /at most 16/],
        ["not an object", ["bob"], /expected an object/],
    ];
    for (const [label, agent, reason] of refused) {
        it(`the host refuses ${label}, naming the parameter`, () => {
            const value = JSON.stringify({ v: 1, roleArn, region: "us-east-1", agent });
            assert.throws(
                () => parseProfileParameter(path, `${path}/service-a`, value),
                (error: unknown) =>
                    error instanceof ProfileParameterError &&
                    error.parameter === `${path}/service-a` &&
                    reason.test(error.reason),
            );
        });
    }

    it("refuses, in agent mode, a name too long for its Unix group", () => {
        const name = "a".repeat(24);
        const value = JSON.stringify({ v: 1, roleArn, region: "us-east-1", agent: { users: [] } });
        assert.throws(
            () => parseProfileParameter(path, `${path}/${name}`, value),
            /1 to 23 characters.*rolepair-<name>/,
        );
        // The same name without the agent is an ordinary profile.
        const plain = JSON.stringify({ v: 1, roleArn, region: "us-east-1" });
        assert.strictEqual(parseProfileParameter(path, `${path}/${name}`, plain).name, name);
    });

    it("refuses, in agent mode, the name agent: rolepair-agent is the agent's own user and group", () => {
        const value = JSON.stringify({ v: 1, roleArn, region: "us-east-1", agent: { users: [] } });
        assert.throws(
            () => parseProfileParameter(path, `${path}/agent`, value),
            /profile name "agent": expected .*, and not agent/,
        );
        assert.strictEqual(
            parseProfileParameter(path, `${path}/agents`, value).name,
            "agents",
            "only the name agent itself is refused",
        );
    });
});
