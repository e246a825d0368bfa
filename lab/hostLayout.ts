// The stand-in host: a network namespace of the test's and one mount namespace in it where a
// directory's parts (the stand-in root) are shown at the host's real paths, so that programs run
// there as on the instance (the sync with no ROLEPAIR_HOST_ROOT, the units' absolute paths,
// verify's defaults) while this machine's own /etc, /usr and /home are never written: /etc is an
// overlay, as is the parent of any other missing mount point, and what is written there (the
// sync's useradd and groupadd in /etc, say) stays in the host and goes with it. The SSH host (lab/sshd.ts) and
// the stand-in for systemd (test/support/unitRunner.ts) both enter it: one host.
import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";

import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "./cleanup";

export interface HostBind {
    source: string;
    /** The host's path it is shown at. */
    target: string;
    kind: "directory" | "file";
}

/** The parts of a stand-in root shown at their host paths, where the root has them. */
const rootParts = [
    "usr/local/lib/rolepair",
    "etc/rolepair",
    "etc/systemd/system",
    // systemd's own marker that it runs this host (what the sync checks before systemctl).
    "run/systemd/system",
    "home",
];

/**
 * The binds for `root` (the parts it has) and the host's node at `nodeAt`: /usr/local/bin/node, or
 * where AL2023's nodejs22 puts it (/usr/bin/node-22) for a host whose user data links it.
 */
export function standInHostBinds(
    root: string,
    node: string,
    extra: HostBind[] = [],
    nodeAt = "/usr/local/bin/node",
): HostBind[] {
    return [
        ...rootParts
            .filter((part) => fs.existsSync(path.join(root, part)))
            .map((part) => ({
                source: path.join(root, part),
                target: `/${part}`,
                kind: "directory" as const,
            })),
        { source: fs.realpathSync(node), target: nodeAt, kind: "file" },
        ...extra,
    ];
}

export const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Shell lines (for `sh` in a new mount namespace): each of `overlaid` under an overlay whose writes
 * land in a tmpfs mounted on `stage` (an empty directory), then the binds. A missing mount point is
 * made in an overlay of its nearest existing parent in the same way, so the machine's own
 * directories stay as they are.
 */
export function bindScript(
    binds: readonly HostBind[],
    stage: string,
    overlaid: readonly string[] = [],
): string[] {
    const quoted = (bind: HostBind) => `${shellQuote(bind.source)} ${shellQuote(bind.target)}`;
    return [
        `stage=${shellQuote(stage)}`,
        'mount -t tmpfs rolepair-stage "$stage"',
        "n=0",
        // Once per directory (overlayfs stacks two deep at most); after that it is writable.
        'overlaid=" "',
        'overlay_on() { case "$overlaid" in *" $1 "*) return;; esac; overlaid="$overlaid$1 "; n=$((n+1)); mkdir "$stage/u$n" "$stage/w$n"; mount -t overlay rolepair-layout -o "lowerdir=$1,upperdir=$stage/u$n,workdir=$stage/w$n" "$1"; }',
        'make_at() { if [ ! -e "$2" ]; then p=$(dirname "$2"); while [ ! -e "$p" ]; do p=$(dirname "$p"); done; overlay_on "$p"; if [ "$3" = directory ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; : >"$2"; fi; fi; }',
        ...overlaid.map((dir) => `overlay_on ${shellQuote(dir)}`),
        // Every mount point first, then the binds: an overlay made on a directory would hide a
        // bind made in it before.
        ...binds.map((bind) => `make_at ${quoted(bind)} ${bind.kind}`),
        ...binds.map((bind) => `mount --bind ${quoted(bind)}`),
    ];
}

export interface StandInHost {
    namespace: string;
    /** The command prefix that runs a program in the host (its network and mount namespaces). */
    enter: string[];
    stop(): Promise<void>;
}

/**
 * Builds the host in `namespace` (ip netns) with `binds`; it lasts until stop(). Its /etc is its
 * own (what the sync's useradd or a test's sudoers writes stays in it), and so is each of `own`.
 */
export async function startStandInHost(
    namespace: string,
    binds: readonly HostBind[],
    own: readonly string[] = [],
): Promise<StandInHost> {
    const stage = makeTempDir("rolepair-host-");
    const layout = bindScript(binds, stage, ["/etc", ...own]);
    const script = ["set -e", ...layout, "echo $$", "exec sleep infinity"];
    const keeper: ChildProcess = spawnGroup(
        "ip",
        [
            ...["netns", "exec", namespace, "unshare", "--mount", "--propagation", "private"],
            ...["sh", "-c", script.join("\n")],
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    keeper.stderr?.on("data", (chunk) => (stderr += chunk));
    const pid = await new Promise<string | undefined>((resolve) => {
        readline.createInterface({ input: keeper.stdout! }).once("line", resolve);
        keeper.once("exit", () => resolve(undefined));
    });
    const stop = async () => {
        await stopGroup(keeper);
        removeTempDir(stage);
    };
    if (pid === undefined || !/^\d+$/.test(pid)) {
        await stop();
        throw new Error(`the stand-in host did not start: ${stderr}`);
    }
    return {
        namespace,
        enter: ["nsenter", `--target=${pid}`, "--mount", "--net", "--"],
        stop,
    };
}
