// prove over SSH against a real sshd: dist/prove.js with the stack's outputs (the pinned host key,
// the private key, the address and port), the system's OpenSSH client, the host's environment as
// sshd gives every session (SetEnv: AWS through moto, credentials from the IMDSv2 double, / and
// /home/ec2-user in temporary directories). The sync step, then the proof; a host key other than
// the pinned one is refused (exit 3).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { profilesParameterPath } from "../../contract/profileSync";
import type { ProofTarget } from "../../contract/proofTarget";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import { region } from "../../lab/moto";
import { type ProfiledHost, startProfiledHost, venvBin } from "../../lab/profileHost";
import { newHostKey } from "../support/sshKeys";
import { SshHost, startSshHost } from "../../lab/sshd";
import { runProcess } from "../../lab/verifyProcess";

const provePath = path.join(__dirname, "..", "..", "dist", "prove.js");

describe("prove over SSH with the pinned host key (real sshd)", () => {
    let profiled: ProfiledHost;
    let host: SshHost;
    const work = makeTempDir("rolepair-prove-ssh-");
    const profilesPath = profilesParameterPath("rolepair", "dev", `provessh${process.pid}`);

    before(async () => {
        if (!fs.existsSync(provePath)) throw new Error(`${provePath} is missing: npm run build`);
        profiled = await startProfiledHost(profilesPath);
        const { moto, imds, root } = profiled;
        host = await startSshHost({
            sessionEnv: {
                HOME: "/home/ec2-user",
                PATH: `${venvBin}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
                ROLEPAIR_HOST_ROOT: root,
                ROLEPAIR_HOST_HOME: "/home/ec2-user",
                AWS_CONFIG_FILE: "/home/ec2-user/.aws/config",
                AWS_SHARED_CREDENTIALS_FILE: "/home/ec2-user/no-credentials-file",
                AWS_ENDPOINT_URL: moto.endpoint,
                AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
                AWS_EC2_METADATA_V1_DISABLED: "true",
                NODE_NO_WARNINGS: "1",
            },
        });
    });
    after(async () => {
        await host?.stop();
        await profiled?.stop();
        removeTempDir(work);
    });

    function outputs(hostKey: string) {
        const target: ProofTarget = {
            transport: "ssh",
            instanceId: "i-0123456789abcdef0",
            region,
            plan: profiled.plan,
            propagationTimeoutSeconds: 20,
            profilesPath,
            publicIp: "127.0.0.1",
            sshUser: host.user,
            hostKey,
        };
        return {
            instanceId: target.instanceId,
            proofTarget: target,
            sshPrivateKey: fs.readFileSync(host.clientKeyPath, "utf8"),
        };
    }

    function prove(stackOutputs: unknown) {
        return runProcess(
            process.execPath,
            [provePath, "--outputs", "-", "--ssh-port", String(host.port)],
            { PATH: process.env.PATH, HOME: work },
            240_000,
            JSON.stringify(stackOutputs),
        );
    }

    const pinned = () =>
        fs
            .readFileSync(path.join(host.hostKeyDir, "ssh_host_ed25519_key.pub"), "utf8")
            .split(" ")
            .slice(0, 2)
            .join(" ");

    it("syncs the profile on the host, then proves over SSH: exit 0 and verify's checklist", async () => {
        const r = await prove(outputs(pinned()));
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /PROOF HOLDS/);
        assert.match(
            r.stdout,
            /✓ profile-config\s+\[profile target\] in \/home\/ec2-user\/\.aws\/config/,
        );
        assert.match(r.stderr, /syncing the AWS profiles on i-0123456789abcdef0/);
    });

    it("refuses a host whose key is not the pinned one: exit 3, nothing run", async () => {
        const other = newHostKey("ssh-ed25519");
        const r = await prove(outputs(`${other.type} ${other.base64}`));
        assert.strictEqual(r.code, 3, r.stderr);
        assert.match(r.stderr, /did not present the host key pinned in the stack/);
        assert.doesNotMatch(r.stderr, /running verify/);
    });
});
