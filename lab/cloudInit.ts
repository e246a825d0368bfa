// The instance's first boot writing its host keys to the serial console, which EC2's
// GetConsoleOutput then returns. On the instance, cloud-init's keys_to_console module
// (cc_keys_to_console.py) runs its helper script with the fingerprint and key blacklists as
// arguments (by default "" and "ssh-dss"), the script sends its stderr to its stdout (`exec 2>&1`),
// and the module writes that output, stripped, plus a newline, to the console. Here the script is
// the real one, from Debian's cloud-init package (extracted by
// `bash scripts/setup-test-tools.sh cloudinit`), run unchanged in a private mount namespace where:
// - /etc/ssh is the test sshd's host key directory (the script reads /etc/ssh/ssh_host_*key.pub);
// - /dev holds only null and log, a stand-in for the instance's syslog socket (journald on Amazon
//   Linux 2023): the script logs its fingerprint lines with `logger -s`, which also copies them to
//   its stderr (so to the console) but gives up without a socket, and the machine's own syslog
//   must not get the test's lines. The stand-in accepts and discards them.
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

import { makeTempDir, removeTempDir } from "./cleanup";

export const writeSshKeyFingerprints = path.join(
    __dirname,
    "..",
    ".tools",
    "cloud-init",
    "usr",
    "lib",
    "cloud-init",
    "write-ssh-key-fingerprints",
);

/** cloud-init's defaults: `ssh_fp_console_blacklist: []`, `ssh_key_console_blacklist: [ssh-dss]`. */
const fingerprintBlacklist = "";
const keyBlacklist = "ssh-dss";

/** A syslog socket that accepts every connection and discards what it is sent. */
async function startSyslogStandIn(socketPath: string): Promise<net.Server> {
    const server = net.createServer((connection) => {
        connection.on("data", () => undefined);
        connection.on("error", () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socketPath, resolve);
    });
    return server;
}

/**
 * What the instance's serial console shows when cloud-init prints the host keys in `hostKeyDir`
 * (files named as in /etc/ssh: `ssh_host_<type>_key.pub`): the script's stdout and stderr
 * interleaved, as keys_to_console writes them. Needs root (a private mount namespace).
 */
export async function consoleOutputFor(hostKeyDir: string): Promise<string> {
    if (!fs.existsSync(writeSshKeyFingerprints)) {
        throw new Error(
            `${writeSshKeyFingerprints} is missing: run "bash scripts/setup-test-tools.sh cloudinit" as root (it extracts Debian's cloud-init package with apt)`,
        );
    }
    const dir = makeTempDir("rolepair-console-");
    const dev = path.join(dir, "dev");
    fs.mkdirSync(dev);
    fs.writeFileSync(path.join(dev, "null"), "");
    const syslog = await startSyslogStandIn(path.join(dev, "log"));
    try {
        // "$1" is the stand-in /dev, "$2" the host key directory, "$3" the script, "$4" and "$5"
        // its arguments; 2>&1 as the script's own `exec 2>&1` has it (keys_to_console reads only
        // the script's stdout).
        const inNamespace = [
            'mount --bind /dev/null "$1/null"',
            'mount --rbind "$1" /dev',
            'mount --bind "$2" /etc/ssh',
            'exec "$3" "$4" "$5" 2>&1',
        ].join(" && ");
        const { code, stdout, stderr } = await run("unshare", [
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            inNamespace,
            "sh",
            dev,
            hostKeyDir,
            writeSshKeyFingerprints,
            fingerprintBlacklist,
            keyBlacklist,
        ]);
        if (code !== 0) {
            throw new Error(
                `write-ssh-key-fingerprints exited ${code}:\n${stdout}${stderr}`.trimEnd(),
            );
        }
        // util.multi_log("%s\n" % (stdout.strip()), console=True)
        return `${stdout.trim()}\n`;
    } finally {
        await new Promise((resolve) => syslog.close(resolve));
        removeTempDir(dir);
    }
}

function run(
    command: string,
    args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, {
            env: { PATH: process.env.PATH, LANG: "C" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}
