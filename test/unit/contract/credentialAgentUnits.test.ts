// The credential agent's and the IMDS lock's systemd units, written out literally, and their
// installer run with bash into a temporary stand-in root (ROLEPAIR_HOST_ROOT): what it puts where,
// with which mode, that a second run changes nothing, that it refuses a damaged program, and that
// profileSyncNow carries it only when asked.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { agentProgramPath, imdsLockPath, imdsLockTable } from "../../../contract/credentialAgent";
import { credentialAgentProgram, imdsLockRules } from "../../../contract/credentialAgentProgram";
import {
    credentialAgentInstaller,
    credentialAgentUnitText,
    imdsLockUnitText,
} from "../../../contract/credentialAgentUnits";
import { profilesParameterPath, profileSyncNow } from "../../../contract/profileSync";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";
import { runProcess } from "../../../lab/verifyProcess";

const units = "/etc/systemd/system";

describe("credential agent units and installer", function () {
    this.timeout(60_000);

    it("the agent's unit: bound to the lock, its own user, only CAP_NET_BIND_SERVICE, a read-only system, the address added as root", () => {
        assert.strictEqual(
            credentialAgentUnitText(),
            `[Unit]
Description=rolepair: the credential agent (each service's role, to the holders of its token)
BindsTo=rolepair-imds-lock.service
After=network-online.target rolepair-imds-lock.service

[Service]
Type=simple
User=rolepair-agent
Group=rolepair-agent
ExecStartPre=+/usr/sbin/ip address replace 169.254.170.23/32 dev lo
ExecStart=/usr/local/bin/node --single-threaded /usr/local/lib/rolepair/credential-agent.js --services /etc/rolepair/agent/services.json
ExecReload=/bin/kill -HUP $MAINPID
ExecStopPost=-+/usr/sbin/ip address del 169.254.170.23/32 dev lo
Restart=on-failure
RestartForceExitStatus=SIGHUP
RestartSec=2s
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`,
        );
    });

    it("the lock's unit: loaded once, early in boot (before the network) and after nftables.service, before the agent, reloaded from the file and with nftables.service, its table deleted on stop", () => {
        assert.strictEqual(
            imdsLockUnitText(),
            `[Unit]
Description=rolepair: the IMDS lock (only root and the credential agent reach 169.254.169.254)
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target rolepair-credential-agent.service
After=nftables.service
ReloadPropagatedFrom=nftables.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f /usr/local/lib/rolepair/imds-lock.nft
ExecReload=/usr/sbin/nft -f /usr/local/lib/rolepair/imds-lock.nft
ExecStop=/usr/sbin/nft delete table inet rolepair_imds

[Install]
WantedBy=multi-user.target
`,
        );
        // The table the stop deletes is the one the shipped file declares.
        assert.match(imdsLockRules(), new RegExp(`^table inet ${imdsLockTable} \\{$`, "m"));
    });

    describe("the installer (bash, stand-in root)", () => {
        let root: string;
        const env = () => ({
            PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            ROLEPAIR_HOST_ROOT: root,
        });
        const at = (hostPath: string) => path.join(root, hostPath);
        // The script is larger than one argument may be (128 KiB): bash reads it from a file, as
        // it reads it from stdin over SSH.
        const runScript = (script: string) => {
            const file = path.join(root, "rolepair-installer.sh");
            fs.writeFileSync(file, script);
            return runProcess("bash", [file], env());
        };
        beforeEach(() => {
            root = makeTempDir("rolepair-root-");
        });
        afterEach(() => removeTempDir(root));

        it("puts the program, the rule set and both units (root, 644), and a second run changes nothing", async () => {
            const first = await runScript(credentialAgentInstaller());
            assert.strictEqual(first.code, 0, first.stderr);
            const expected: [string, string][] = [
                [agentProgramPath, credentialAgentProgram()],
                [imdsLockPath, imdsLockRules()],
                [`${units}/rolepair-imds-lock.service`, imdsLockUnitText()],
                [`${units}/rolepair-credential-agent.service`, credentialAgentUnitText()],
            ];
            for (const [file, content] of expected) {
                assert.strictEqual(fs.readFileSync(at(file), "utf8"), content, file);
                const stat = fs.statSync(at(file));
                assert.deepStrictEqual([stat.mode & 0o777, stat.uid, stat.gid], [0o644, 0, 0]);
            }
            const before = expected.map(([file]) => fs.statSync(at(file)).mtimeMs);
            await new Promise((resolve) => setTimeout(resolve, 20));
            const second = await runScript(credentialAgentInstaller());
            assert.strictEqual(second.code, 0, second.stderr);
            assert.deepStrictEqual(
                expected.map(([file]) => fs.statSync(at(file)).mtimeMs),
                before,
            );
            // Nothing enabled: no link in a .wants directory.
            assert.deepStrictEqual(fs.readdirSync(at(units)).sort(), [
                "rolepair-credential-agent.service",
                "rolepair-imds-lock.service",
            ]);
        });

        it("replaces a changed rule set, and refuses a program that arrives damaged, installing nothing of it", async () => {
            fs.mkdirSync(path.dirname(at(imdsLockPath)), { recursive: true });
            fs.writeFileSync(at(imdsLockPath), "table inet old {}\n");
            const ok = await runScript(credentialAgentInstaller());
            assert.strictEqual(ok.code, 0, ok.stderr);
            assert.strictEqual(fs.readFileSync(at(imdsLockPath), "utf8"), imdsLockRules());

            fs.rmSync(at(agentProgramPath));
            // The program that arrives no longer hashes to what the installer expects.
            const script = credentialAgentInstaller().replace(
                /!= [0-9a-f]{64} ]/,
                `!= ${"0".repeat(64)} ]`,
            );
            const damaged = await runScript(script);
            assert.notStrictEqual(damaged.code, 0);
            assert.match(damaged.stderr, /credential agent program arrived damaged; not installed/);
            assert.ok(!fs.existsSync(at(agentProgramPath)));
        });

        it("profileSyncNow carries it only with {credentialAgent: true}; the positional form still works", () => {
            const parameterPath = profilesParameterPath("rolepair", "dev", "host");
            const agentPart = credentialAgentInstaller().trimEnd();
            const withAgent = profileSyncNow(parameterPath, { credentialAgent: true });
            assert.ok(withAgent.includes(agentPart));
            // First the installers, then the sync that starts the units.
            assert.ok(withAgent.indexOf(agentPart) < withAgent.indexOf("sync_now()"));
            assert.ok(!profileSyncNow(parameterPath).includes("ROLEPAIR_AGENT"));
            assert.match(
                profileSyncNow(parameterPath, { attempts: 3, pauseSeconds: 0, program: "x" }),
                /seq 1 3\b/,
            );
        });
    });
});
