// systemctl for the stand-in host (no systemd runs here): a program shown at /usr/bin/systemctl
// in the host's mount namespace (a HostBind) that sends its arguments over a Unix socket to the
// test, whose UnitRunner does what systemd would, and prints and exits as systemctl does. It
// answers what the user data, the sync and the installers ask: is-active --quiet, start (also
// --no-block), stop, reload, enable --now, disable --now, try-restart, try-reload-or-restart and
// daemon-reload. A timer is recorded as enabled and never fires: the tests start its service
// themselves, when they mean to.
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

import { makeTempDir, removeTempDir } from "../../lab/cleanup";
import type { HostBind } from "../../lab/hostLayout";
import type { UnitRunner } from "./unitRunner";

interface Answer {
    code: number;
    stderr: string;
}

const ok: Answer = { code: 0, stderr: "" };
/** systemctl's exit codes: 3 for "inactive" (is-active), 1 for a failed job. */
const notActive: Answer = { code: 3, stderr: "" };
const failed = 1;

// The client, run by the host's node: argv out, {code, stderr} back.
const clientSource = (socketPath: string) => `"use strict";
const net = require("net");
const c = net.connect(${JSON.stringify(socketPath)});
let reply = "";
c.on("connect", () => c.write(JSON.stringify(process.argv.slice(2)) + "\\n"));
c.on("data", (d) => (reply += d));
c.on("end", () => {
    const a = JSON.parse(reply);
    if (a.stderr) process.stderr.write(a.stderr);
    process.exit(a.code);
});
c.on("error", (e) => {
    process.stderr.write("systemctl (stand-in): " + e.message + "\\n");
    process.exit(1);
});
`;

export class SystemctlDouble {
    /** Units enabled (enable / disable), as names with their kind: "rolepair-profiles.timer". */
    readonly enabled = new Set<string>();
    /** Every call's arguments, in order. */
    readonly calls: string[][] = [];
    private readonly dir = makeTempDir("rolepair-systemctl-");
    private readonly server: net.Server;
    private runner?: UnitRunner;

    private constructor() {
        fs.chmodSync(this.dir, 0o755);
        const socketPath = path.join(this.dir, "systemctl.sock");
        fs.writeFileSync(path.join(this.dir, "client.js"), clientSource(socketPath));
        fs.writeFileSync(
            path.join(this.dir, "systemctl"),
            `#!/bin/sh\nexec /usr/local/bin/node ${path.join(this.dir, "client.js")} "$@"\n`,
            { mode: 0o755 },
        );
        this.server = net.createServer((socket) => {
            let request = "";
            socket.on("data", (chunk) => {
                request += chunk;
                if (!request.endsWith("\n")) return;
                void this.answer(JSON.parse(request) as string[]).then((a) =>
                    socket.end(JSON.stringify(a)),
                );
            });
            socket.on("error", () => undefined);
        });
        this.server.listen(socketPath);
    }

    static async start(): Promise<SystemctlDouble> {
        const double = new SystemctlDouble();
        await new Promise<void>((resolve) => double.server.once("listening", resolve));
        return double;
    }

    /** The systemd it stands for (made after it: the runner's layout holds this program). */
    answerFor(units: UnitRunner): void {
        this.runner = units;
    }

    private get units(): UnitRunner {
        if (this.runner === undefined) throw new Error("no UnitRunner yet: call answerFor");
        return this.runner;
    }

    /** The program, to be shown at the host's /usr/bin/systemctl. */
    bind(): HostBind {
        return {
            source: path.join(this.dir, "systemctl"),
            target: "/usr/bin/systemctl",
            kind: "file",
        };
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        removeTempDir(this.dir);
    }

    private async answer(args: string[]): Promise<Answer> {
        this.calls.push(args);
        try {
            return await this.run(args);
        } catch (error) {
            return { code: failed, stderr: `Job failed: ${(error as Error).message}\n` };
        }
    }

    private async run(args: string[]): Promise<Answer> {
        const [verb, ...rest] = args;
        if (verb === "daemon-reload" && rest.length === 0) return ok; // Units are read at start.
        const flag = ["--now", "--quiet", "--no-block"].includes(rest[0])
            ? rest.shift()
            : undefined;
        if (rest.length !== 1) return unsupported(args);
        const call = flag === undefined ? verb : `${verb} ${flag}`;
        const unit = rest[0].includes(".") ? rest[0] : `${rest[0]}.service`;
        if (unit.endsWith(".timer")) return this.timer(call, unit, args);
        if (!unit.endsWith(".service")) return unsupported(args);
        return this.service(call, unit.slice(0, -".service".length), args);
    }

    private timer(call: string, unit: string, args: string[]): Answer {
        if (call === "enable --now") this.enabled.add(unit);
        else if (call === "disable --now") this.enabled.delete(unit);
        else if (call === "is-active --quiet") return this.enabled.has(unit) ? ok : notActive;
        else return unsupported(args);
        return ok;
    }

    private async service(call: string, name: string, args: string[]): Promise<Answer> {
        const active = this.units.isActive(name);
        switch (call) {
            case "is-active --quiet":
                return active ? ok : notActive;
            case "enable --now":
                this.enabled.add(`${name}.service`);
                await this.units.start(name);
                return ok;
            case "disable --now":
                this.enabled.delete(`${name}.service`);
                if (active) await this.units.stop(name);
                return ok;
            case "start":
                await this.units.start(name);
                return ok;
            case "start --no-block":
                // Queued, not waited for: a failure shows in the journal, as with systemd.
                void this.units.start(name).catch((error: Error) => {
                    this.units.journal.push(`${name}: start failed: ${error.message}\n`);
                });
                return ok;
            case "stop":
                if (active) await this.units.stop(name);
                return ok;
            case "reload":
                if (!active) return { code: failed, stderr: `${name}.service is not active.\n` };
                await this.units.reload(name);
                return ok;
            case "try-restart":
            case "try-reload-or-restart":
                if (!active) return ok;
                if (call === "try-reload-or-restart" && this.units.canReload(name)) {
                    await this.units.reload(name);
                } else {
                    await this.units.stop(name);
                    await this.units.start(name);
                }
                return ok;
            default:
                return unsupported(args);
        }
    }
}

function unsupported(args: string[]): Answer {
    return {
        code: failed,
        stderr: `systemctl (stand-in, test/support/systemctlDouble.ts): ${args.join(" ")} is not answered\n`,
    };
}
