// The proof over SSH from the operator's machine, with the system's OpenSSH client: the host key
// pinned (a temporary known_hosts holding only the stack's key, StrictHostKeyChecking=yes), the
// stack's private key in a temporary file (mode 600), no user ssh config (-F /dev/null), no agent.
// Three sessions: sync the profiles (sudo), copy the bundle to a temporary file, run verify with
// the plan on stdin. Why OpenSSH rather than an npm SSH library: no new dependency, and the most
// reviewed SSH client there is; `ssh` ships with Linux, macOS and Windows 10+.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { authorizedKeyLine, parseHostKeyLine } from "../../../contract/hostKeys";
import { planProfiles } from "../../../contract/plan";
import { profileSyncNow, profileSyncRemoteCommand } from "../../../contract/profileSync";
import type { ProofTarget } from "../../../contract/proofTarget";

export interface SshResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Exit 255 is ssh's own failure (connection, authentication, host key), not the remote command's. */
export const sshFailed = 255;

export interface SshProofOptions {
    port: number;
    /** The ssh binary. Default "ssh" from PATH. */
    ssh?: string;
    bundle: Buffer;
    progress: (line: string) => void;
}

const alias = "rolepair-host";

/** POSIX single quotes. */
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function runSsh(
    ssh: string,
    args: string[],
    remoteCommand: string,
    stdin: string | Buffer,
): Promise<SshResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(ssh, [...args, remoteCommand], { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? sshFailed, stdout, stderr }));
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin);
    });
}

/** Why ssh itself failed, in words an operator can act on. */
export function describeSshFailure(target: ProofTarget, port: number, stderr: string): string {
    const where = `${target.sshUser}@${target.publicIp}:${port}`;
    if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
        return `${where} did not present the host key pinned in the stack (proofTarget.hostKey): refused. If the instance was replaced outside Pulumi, run pulumi refresh and pulumi up; otherwise something else answers on this address.`;
    }
    if (/permission denied/i.test(stderr)) {
        return `${where} refused the stack's SSH key (sshPrivateKey): ${stderr.trim().split("\n").pop()}`;
    }
    return `could not reach ${where} over SSH (is your address still the stack's sshIngressCidr?): ${stderr.trim().split("\n").pop() ?? "no message"}`;
}

/**
 * ssh's options for the one host: the stack's private key and the pinned host key in files of
 * `dir`, nothing read from the user's ssh config, agent or known hosts.
 */
function pinnedSshArgs(
    dir: string,
    key: NonNullable<ReturnType<typeof parseHostKeyLine>>,
    privateKey: string,
    target: ProofTarget,
    port: number,
): string[] {
    const keyFile = path.join(dir, "id");
    const knownHosts = path.join(dir, "known_hosts");
    fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, {
        mode: 0o600,
    });
    // The parsed key, not the line's words: a .pub line's comment follows the key.
    fs.writeFileSync(knownHosts, `${alias} ${authorizedKeyLine(key)}\n`, { mode: 0o600 });
    return [
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        `HostKeyAlias=${alias}`,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        `IdentityFile=${keyFile}`,
        "-o",
        "ConnectTimeout=15",
        "-o",
        "LogLevel=ERROR",
        "-p",
        String(port),
        "-l",
        target.sshUser as string,
        // No destination is read as an option, whatever the stack outputs hold.
        "--",
        target.publicIp as string,
    ];
}

/** verify's command line on the host: the plan comes on stdin. */
function verifyCommandLine(remote: string, target: ProofTarget): string {
    return [
        "node",
        quote(remote),
        "--targets",
        "-",
        "--region",
        quote(target.region),
        "--propagation-timeout",
        String(target.propagationTimeoutSeconds),
        "--json",
    ].join(" ");
}

/**
 * Runs the proof over SSH. Returns verify's exit code and stdout (its JSON report), or ssh's 255
 * with the reason.
 */
export async function proveOverSsh(
    target: ProofTarget,
    privateKey: string,
    options: SshProofOptions,
): Promise<SshResult & { step?: string }> {
    const key = parseHostKeyLine(target.hostKey as string);
    if (key === undefined) throw new Error("proofTarget.hostKey is not a host key");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-prove-"));
    try {
        const args = pinnedSshArgs(dir, key, privateKey, target, options.port);
        const ssh = options.ssh ?? "ssh";

        options.progress(
            `syncing the AWS profiles on ${target.instanceId} from ${target.profilesPath}`,
        );
        const sync = await runSsh(
            ssh,
            args,
            profileSyncRemoteCommand,
            // A plan that proves the agent comes from a stack with it on: the sync installs it.
            profileSyncNow(target.profilesPath, {
                profiles: planProfiles(target.plan),
                ...(target.plan.some((t) => t.agent === true) ? { credentialAgent: true } : {}),
            }),
        );
        if (sync.code !== 0) return { ...sync, step: "sync" };

        options.progress(`copying the verify bundle to ${target.instanceId}`);
        const copy = await runSsh(
            ssh,
            args,
            'f=$(mktemp "$HOME/.rolepair-prove-XXXXXX") && cat > "$f" && printf %s "$f"',
            options.bundle,
        );
        if (copy.code !== 0) return { ...copy, step: "copy" };
        const remote = copy.stdout.trim();
        if (!/^\/[\w./-]+$/.test(remote)) {
            return {
                code: sshFailed,
                stdout: "",
                stderr: `unexpected remote path ${remote}`,
                step: "copy",
            };
        }

        options.progress(`running verify on ${target.instanceId} as ${target.sshUser}`);
        const verify = verifyCommandLine(remote, target);
        const run = await runSsh(
            ssh,
            args,
            `${verify}; rc=$?; rm -f ${quote(remote)}; exit $rc`,
            JSON.stringify(target.plan),
        );
        return { ...run, step: "verify" };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
