// The user data's first boot under a systemd stand-in: stubs for dnf, ln, install and systemctl
// on PATH log what the script asks of them, so the test sees that it installs the units, reloads
// systemd, enables AND starts the timer, and starts the first sync at once, in that order (a
// snapshot of the text would absorb any of these dropped).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { hostUserData } from "../../components/userData";
import { makeTempDir, removeTempDir } from "../../lab/cleanup";

const stubs: Record<string, string> = {
    dnf: 'echo "dnf $*" >>"$STUB_LOG"',
    ln: 'echo "ln $*" >>"$STUB_LOG"',
    systemctl: 'echo "systemctl $*" >>"$STUB_LOG"',
    // install -D -m MODE -o root -g root SRC DEST: the file lands under $STUB_ROOT instead.
    install:
        'eval "dest=\\${$#}"; src="${@: -2:1}"; mkdir -p "$STUB_ROOT$(dirname "$dest")"; cp "$src" "$STUB_ROOT$dest"; echo "install $dest" >>"$STUB_LOG"',
};

describe("the user data's first boot (systemd stand-in)", () => {
    let dir: string;
    before(() => {
        dir = makeTempDir("rolepair-boot-");
        fs.mkdirSync(path.join(dir, "bin"));
        fs.mkdirSync(path.join(dir, "run-systemd"));
        fs.mkdirSync(path.join(dir, "root"));
        for (const [name, body] of Object.entries(stubs)) {
            fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash\n${body}\n`, {
                mode: 0o755,
            });
        }
    });
    after(() => removeTempDir(dir));

    it("installs the units, enables and starts the timer, and starts the first sync", () => {
        const root = path.join(dir, "root");
        const script = hostUserData("/rolepair/rolepair/dev/rolepair/profiles")
            // The stand-in's systemd, and nothing outside the temporary root is touched.
            .replaceAll("/run/systemd/system", path.join(dir, "run-systemd"))
            .replaceAll('rm -f "$root/', 'rm -f "$STUB_ROOT/')
            .replaceAll('cmp -s "$tmp" "$root$1"', 'cmp -s "$tmp" "$STUB_ROOT$1"');
        const log = path.join(dir, "log");
        const result = spawnSync("bash", ["--norc", "--noprofile", "-c", script], {
            env: {
                PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
                STUB_LOG: log,
                STUB_ROOT: root,
            },
            encoding: "utf8",
            timeout: 30_000,
        });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(fs.readFileSync(log, "utf8").trimEnd().split("\n"), [
            "dnf install -y nodejs22",
            "ln -sf /usr/bin/node-22 /usr/local/bin/node",
            "install /usr/local/lib/rolepair/profile-sync.js",
            "install /etc/systemd/system/rolepair-profiles.service",
            "install /etc/systemd/system/rolepair-profiles.timer",
            "systemctl daemon-reload",
            "systemctl enable --now rolepair-profiles.timer",
            "systemctl start --no-block rolepair-profiles.service",
        ]);
        const timer = fs.readFileSync(
            path.join(root, "etc/systemd/system/rolepair-profiles.timer"),
            "utf8",
        );
        assert.match(timer, /^OnBootSec=10s$/m);
        assert.match(timer, /^OnUnitActiveSec=60s$/m);
        assert.match(timer, /^WantedBy=timers\.target$/m);
    });
});
