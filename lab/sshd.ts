// A real OpenSSH server on loopback standing in for the EC2 host, with throwaway host keys (one
// Ed25519 key unless asked for more types) and client key. It runs in a private mount namespace
// where /home is a temporary directory holding ec2-user/, so the component's remote path
// (/home/ec2-user/...) exists without touching the machine's real /home; or in a stand-in host
// (lab/hostLayout.ts), whose network the ssh and scp clients then enter too. It logs in the
// current user (root in CI) and the local users named for it.
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { makeTempDir, spawnGroup } from "./cleanup";
import { shellQuote, type StandInHost } from "./hostLayout";
import { onFreePort, serverAnnounced, serverListening } from "./serverProcess";
import { ProcessResult, runProcess } from "./verifyProcess";

/** Host key types as ssh-keygen names them (and as /etc/ssh/ssh_host_<type>_key does). */
/** The host's PATH: Node 22 (`setup-test-tools.sh node22`) before the system's directories. */
const hostPath = [
    path.join(__dirname, "..", ".tools", "node-22", "node_modules", ".bin"),
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
].join(":");

export type HostKeyType = "ed25519" | "ecdsa" | "rsa";

export interface SshHostOptions {
    /** One host key per type, each a `HostKey` of sshd; default `["ed25519"]`. */
    hostKeyTypes?: HostKeyType[];
    /**
     * The environment every session gets (sshd's SetEnv), for clients that pass none: what an
     * EC2 host's own environment would hold. Values must not contain spaces.
     */
    sessionEnv?: Record<string, string>;
    /**
     * The stand-in host (lab/hostLayout.ts) sshd runs in, instead of a mount namespace with /home
     * alone: it listens on the host's loopback, and the clients run there too.
     */
    host?: StandInHost;
    /** Local users besides the current one who may log in: each needs a shell and an unlocked entry. */
    loginUsers?: string[];
}

export interface SshHost {
    port: number;
    user: string;
    /**
     * The host keys, named as on a real host: `ssh_host_<type>_key` and `ssh_host_<type>_key.pub`
     * (what cloud-init's write-ssh-key-fingerprints reads from /etc/ssh).
     */
    hostKeyDir: string;
    /** The client's private key (OpenSSH format, no passphrase), authorized for `user`. */
    clientKeyPath: string;
    /**
     * Runs one command line on the host, as `ssh user@host 'command'` (`user` by default), with
     * the given environment; `stdin` is sent to the command's standard input (as pulumi-command's
     * `stdin` does).
     */
    run(
        command: string,
        env: Record<string, string>,
        stdin?: string,
        as?: string,
    ): Promise<ProcessResult>;
    copy(localPath: string, remotePath: string, as?: string): Promise<ProcessResult>;
    stop(): Promise<void>;
}

export async function startSshHost(options: SshHostOptions = {}): Promise<SshHost> {
    const hostKeyTypes = options.hostKeyTypes ?? ["ed25519"];
    if (hostKeyTypes.length === 0) throw new Error("startSshHost: hostKeyTypes is empty");
    for (const tool of ["/usr/sbin/sshd", "ssh", "scp", "ssh-keygen", "unshare"]) {
        try {
            execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
        } catch {
            throw new Error(
                `${tool} not found: run "bash scripts/setup-test-tools.sh sshd" as root (it installs openssh-server, openssh-client and util-linux with apt)`,
            );
        }
    }
    // sshd runs in a private mount namespace; without root that fails before sshd ever starts.
    if (process.getuid?.() !== 0) {
        throw new Error(
            "the host layer needs root (sshd runs in a private mount namespace so /home/ec2-user exists): run it as root, or run the layers that need no root (npm run test:unit, test:policy, test:emulator, test:reliability)",
        );
    }
    // Everything that names the port is made again if another process took it first (in a
    // namespace of the test's own, nothing else listens: its first port is the one).
    const { port, hostKeyDir, clientKeyPath, dir, stop } = await onFreePort((port) =>
        startSshd(port, hostKeyTypes, options),
    );

    const user = os.userInfo().username;
    const common = [
        "-i",
        clientKeyPath,
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
    ];
    const clientEnv = { PATH: process.env.PATH, HOME: dir };
    const [enter, ...entering] = options.host?.enter ?? [];
    const client = (tool: string, args: string[], stdin?: string) =>
        enter === undefined
            ? runProcess(tool, args, clientEnv, 120_000, stdin)
            : runProcess(enter, [...entering, tool, ...args], clientEnv, 120_000, stdin);
    return {
        port,
        user,
        hostKeyDir,
        clientKeyPath,
        run: (command, env, stdin, as = user) => {
            const setEnv = Object.entries(env)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ");
            const args = ["-p", String(port), "-o", `SetEnv=${setEnv}`, `${as}@127.0.0.1`];
            return client("ssh", [...common, ...args, command], stdin);
        },
        copy: (localPath, remotePath, as = user) =>
            client("scp", [
                ...common,
                "-P",
                String(port),
                localPath,
                `${as}@127.0.0.1:${remotePath}`,
            ]),
        stop,
    };
}

/** Host keys, the client's key (authorized for every login user) and sshd_config, in `dir`. */
function writeSshdFiles(
    dir: string,
    port: number,
    hostKeyTypes: HostKeyType[],
    options: SshHostOptions,
) {
    const hostKeyDir = path.join(dir, "host-keys");
    fs.mkdirSync(hostKeyDir);
    const hostKeyPaths = [...new Set(hostKeyTypes)].map((type) => {
        const keyPath = path.join(hostKeyDir, `ssh_host_${type}_key`);
        execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", keyPath]);
        return keyPath;
    });
    const clientKeyPath = path.join(dir, "client_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKeyPath]);
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.copyFileSync(path.join(dir, "client_key.pub"), authorizedKeys);
    if ((options.loginUsers ?? []).length > 0) {
        // sshd reads a user's authorized keys as that user.
        fs.chmodSync(dir, 0o711);
        fs.chmodSync(authorizedKeys, 0o644);
    }
    fs.mkdirSync("/run/sshd", { recursive: true });

    const config = path.join(dir, "sshd_config");
    fs.writeFileSync(
        config,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            ...hostKeyPaths.map((keyPath) => `HostKey ${keyPath}`),
            `PidFile ${path.join(dir, "sshd.pid")}`,
            `AuthorizedKeysFile ${authorizedKeys}`,
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            // Only what an EC2 host's environment would give the process, passed explicitly.
            "AcceptEnv AWS_* NODE_NO_WARNINGS",
            // The host's Node line first, as AL2023's nodejs22 is at /usr/local/bin/node on EC2
            // (the machine's own Node may be older, and the bundles refuse it).
            `SetEnv ${Object.entries({ PATH: hostPath, ...options.sessionEnv })
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")}`,
            "Subsystem sftp internal-sftp",
            "",
        ].join("\n"),
    );
    return { hostKeyDir, clientKeyPath, config };
}

async function startSshd(port: number, hostKeyTypes: HostKeyType[], options: SshHostOptions) {
    const dir = makeTempDir("rolepair-sshd-");
    const { hostKeyDir, clientKeyPath, config } = writeSshdFiles(dir, port, hostKeyTypes, options);
    const sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", config];
    const stdio = { stdio: ["ignore", "ignore", "pipe"] as ("ignore" | "pipe")[] };
    if (options.host !== undefined) {
        const [enter, ...entering] = options.host.enter;
        const child = spawnGroup(enter, [...entering, ...sshd], stdio);
        const listening = new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}\\.`);
        const stop = await serverAnnounced("sshd", child, listening, 10_000, dir);
        return { port, hostKeyDir, clientKeyPath, dir, stop };
    }
    const home = path.join(dir, "home");
    fs.mkdirSync(path.join(home, "ec2-user"), { recursive: true });
    const child: ChildProcess = spawnGroup(
        "unshare",
        [
            ...["--mount", "--propagation", "private", "sh", "-c"],
            `mount --bind ${shellQuote(home)} /home && exec ${sshd.map(shellQuote).join(" ")}`,
        ],
        stdio,
    );
    const stop = await serverListening("sshd", child, port, 10_000, dir);
    return { port, hostKeyDir, clientKeyPath, dir, stop };
}
