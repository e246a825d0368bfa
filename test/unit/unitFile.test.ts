// The stand-in for systemd reads the installed units' directives and refuses, naming it, any it
// does not honour: a directive added to a unit cannot pass the installed-units test untested.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { agentUnit, imdsLockUnit } from "../../contract/credentialAgent";
import { credentialAgentUnitText, imdsLockUnitText } from "../../contract/credentialAgentUnits";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { readServiceUnit } from "../support/unitFile";

describe("the stand-in for systemd's unit reader (test/support/unitFile.ts)", () => {
    let dir: string;
    const write = (name: string, text: string) =>
        fs.writeFileSync(path.join(dir, `${name}.service`), text);
    const withLine = (line: string) =>
        credentialAgentUnitText().replace("PrivateTmp=yes\n", `PrivateTmp=yes\n${line}\n`);

    beforeEach(() => {
        dir = makeTempDir("rolepair-unitfile-");
    });
    afterEach(() => removeTempDir(dir));

    it("reads both units as installed, with a drop-in's Environment=", () => {
        write(agentUnit, credentialAgentUnitText());
        write(imdsLockUnit, imdsLockUnitText());
        fs.mkdirSync(path.join(dir, `${agentUnit}.service.d`));
        fs.writeFileSync(
            path.join(dir, `${agentUnit}.service.d`, "x.conf"),
            "[Service]\nEnvironment=A=1 B=2\n",
        );
        const agent = readServiceUnit(dir, agentUnit);
        assert.strictEqual(agent.user, "rolepair-agent");
        assert.deepStrictEqual(agent.ambientCapabilities, ["net_bind_service"]);
        assert.deepStrictEqual(agent.capabilityBoundingSet, ["net_bind_service"]);
        assert.deepStrictEqual(
            agent.execStopPost.map((c) => [c.ignoreFailure, c.privileged, c.argv[0]]),
            [[true, true, "/usr/sbin/ip"]],
        );
        assert.deepStrictEqual(agent.execReload[0].argv, ["/bin/kill", "-HUP", "$MAINPID"]);
        assert.deepStrictEqual(agent.environment, { A: "1", B: "2" });
        assert.ok(agent.noNewPrivileges && agent.protectSystemStrict && agent.protectHome);
        const lock = readServiceUnit(dir, imdsLockUnit);
        assert.strictEqual(lock.type, "oneshot");
        assert.strictEqual(lock.remainAfterExit, true);
        assert.deepStrictEqual(lock.before, ["network-pre.target", `${agentUnit}.service`]);
        assert.deepStrictEqual(lock.wants, ["network-pre.target"]);
        assert.deepStrictEqual(agent.bindsTo, [`${imdsLockUnit}.service`]);
        assert.deepStrictEqual(agent.restartForceSignals, ["SIGHUP"]);
    });

    for (const [line, named] of [
        ["PrivateDevices=yes", /\[Service\] PrivateDevices= is not honoured/],
        ["ProtectSystem=full", /ProtectSystem=full is not honoured; accepted: strict/],
        ["ExecStartPost=!/bin/true", /ExecStartPost= is not honoured/],
        ["ExecStop=@/bin/true x", /prefix "@" is not honoured/],
        ["ExecStop=/bin/echo $USER", /\$USER is not honoured; accepted: \$MAINPID/],
        ["ExecStop=/bin/echo %n", /% specifiers are not honoured/],
        ["ExecStop=kill", /must be an absolute path/],
        ["Type=forking", /Type=forking is not honoured; accepted: simple, oneshot/],
        ["NoNewPrivileges=maybe", /NoNewPrivileges=maybe is not a boolean/],
        [
            "RestartForceExitStatus=1",
            /RestartForceExitStatus=1: 1 is not honoured; accepted: signal names/,
        ],
    ] as const) {
        it(`refuses ${line}, naming it`, () => {
            write(agentUnit, withLine(line));
            assert.throws(() => readServiceUnit(dir, agentUnit), named);
        });
    }

    it("refuses a section it does not know", () => {
        write(agentUnit, `${credentialAgentUnitText()}[Socket]\nListenStream=80\n`);
        assert.throws(() => readServiceUnit(dir, agentUnit), /section=Socket is not honoured/);
    });
});
