// A systemd unit file read as the stand-in for systemd (unitRunner.ts) honours it: every section
// and directive it knows, and an error naming any other, so that a directive added to a unit is
// refused here instead of passing untested. Drop-ins (<unit>.d/*.conf) are read after the unit,
// in name order, as systemd does.
import * as fs from "fs";
import * as path from "path";

export interface UnitCommand {
    /** The path and arguments ($MAINPID is expanded when it runs). */
    argv: string[];
    /** `-`: a failure is ignored. */
    ignoreFailure: boolean;
    /** `+`: run as root with full privileges, outside the sandbox. */
    privileged: boolean;
}

export interface ServiceUnit {
    name: string;
    wants: string[];
    /** BindsTo=: started first, its failure fails this start, its stop stops this unit first. */
    bindsTo: string[];
    after: string[];
    before: string[];
    type: "simple" | "oneshot";
    remainAfterExit: boolean;
    user?: string;
    group?: string;
    execStartPre: UnitCommand[];
    execStart: UnitCommand[];
    execReload: UnitCommand[];
    execStop: UnitCommand[];
    execStopPost: UnitCommand[];
    environment: Record<string, string>;
    /** Capability names as setpriv takes them (net_bind_service). */
    ambientCapabilities: string[];
    capabilityBoundingSet?: string[];
    noNewPrivileges: boolean;
    protectSystemStrict: boolean;
    protectHome: boolean;
    privateTmp: boolean;
    /** TimeoutStartSec=, in seconds: how long a oneshot's ExecStart= may run. */
    timeoutStartSec?: number;
    /** Restart=: "on-failure" starts the main process again when it fails (exit ≠ 0, a signal). */
    restart: "no" | "on-failure";
    /** RestartSec=, in seconds (systemd's default 100 ms). */
    restartSec: number;
    /** RestartForceExitStatus=: signals (SIGHUP) after which the main process is started again. */
    restartForceSignals: string[];
}

/**
 * Read and kept, but not acted on by the stand-in, each for the reason given: a unit using them is
 * still run, and these lines say what that run does not show.
 */
const acceptedNotEnforced = new Set([
    // Applies when the unit is enabled (a symlink under the target), not when it is started.
    "Install.WantedBy",
    // Text for people.
    "Unit.Description",
    // The stand-in adds no implicit dependency either way; the place early in boot that `no`
    // gives the lock on a host is not shown here (nothing boots).
    "Unit.DefaultDependencies",
    // No nftables.service runs in the stand-in host, so there is no reload to propagate.
    "Unit.ReloadPropagatedFrom",
]);

function fail(unit: string, message: string): never {
    throw new Error(`${unit}: ${message} (test/support/unitFile.ts: the stand-in for systemd)`);
}

function yesNo(unit: string, key: string, value: string): boolean {
    if (["yes", "true", "on", "1"].includes(value)) return true;
    if (["no", "false", "off", "0"].includes(value)) return false;
    return fail(unit, `${key}=${value} is not a boolean; accepted: yes or no`);
}

function only(unit: string, key: string, value: string, accepted: string[]): string {
    if (!accepted.includes(value)) {
        fail(unit, `${key}=${value} is not honoured; accepted: ${accepted.join(", ")}`);
    }
    return value;
}

function command(unit: string, key: string, value: string): UnitCommand {
    let rest = value;
    let ignoreFailure = false;
    let privileged = false;
    for (;;) {
        const prefix = rest[0];
        if (prefix === "-") ignoreFailure = true;
        else if (prefix === "+") privileged = true;
        else if ("@:!".includes(prefix)) {
            fail(unit, `${key}= prefix "${prefix}" is not honoured; accepted: - and +`);
        } else break;
        rest = rest.slice(1);
    }
    if (/["'\\;%]/.test(rest)) {
        fail(unit, `${key}=${value}: quoting, escapes, ";" and % specifiers are not honoured`);
    }
    const argv = rest.split(/\s+/).filter(Boolean);
    for (const word of argv) {
        if (word.includes("$") && word !== "$MAINPID" && word !== "${MAINPID}") {
            fail(unit, `${key}=${value}: ${word} is not honoured; accepted: $MAINPID`);
        }
    }
    if (argv.length === 0 || !path.isAbsolute(argv[0])) {
        fail(unit, `${key}=${value}: the command must be an absolute path`);
    }
    return { argv, ignoreFailure, privileged };
}

function capabilities(unit: string, key: string, value: string): string[] {
    return value.split(/\s+/).map((name) => {
        if (!/^CAP_[A-Z_]+$/.test(name)) fail(unit, `${key}=${value}: ${name} is not a capability`);
        return name.slice(4).toLowerCase();
    });
}

function apply(unit: ServiceUnit, section: string, key: string, value: string): void {
    const name = unit.name;
    const id = `${section}.${key}`;
    if (acceptedNotEnforced.has(id)) return;
    const list = (target: string[]) => {
        // An empty value resets the list, as in systemd.
        if (value === "") target.splice(0);
        else target.push(...value.split(/\s+/));
    };
    const commands = (target: UnitCommand[]) => {
        if (value === "") target.splice(0);
        else target.push(command(name, key, value));
    };
    switch (id) {
        case "Unit.Wants":
            return list(unit.wants);
        case "Unit.BindsTo":
            return list(unit.bindsTo);
        case "Unit.After":
            return list(unit.after);
        case "Unit.Before":
            return list(unit.before);
        case "Service.Type":
            unit.type = only(name, key, value, ["simple", "oneshot"]) as ServiceUnit["type"];
            return;
        case "Service.RemainAfterExit":
            unit.remainAfterExit = yesNo(name, key, value);
            return;
        case "Service.User":
            unit.user = value;
            return;
        case "Service.Group":
            unit.group = value;
            return;
        case "Service.ExecStartPre":
            return commands(unit.execStartPre);
        case "Service.ExecStart":
            return commands(unit.execStart);
        case "Service.ExecReload":
            return commands(unit.execReload);
        case "Service.ExecStop":
            return commands(unit.execStop);
        case "Service.ExecStopPost":
            return commands(unit.execStopPost);
        case "Service.Environment":
            for (const pair of value.split(/\s+/).filter(Boolean)) {
                const at = pair.indexOf("=");
                if (at <= 0 || /["'\\$%]/.test(pair)) {
                    fail(name, `Environment=${value}: only plain KEY=value words are honoured`);
                }
                unit.environment[pair.slice(0, at)] = pair.slice(at + 1);
            }
            return;
        case "Service.AmbientCapabilities":
            unit.ambientCapabilities.push(...capabilities(name, key, value));
            return;
        case "Service.CapabilityBoundingSet":
            unit.capabilityBoundingSet = capabilities(name, key, value);
            return;
        case "Service.NoNewPrivileges":
            unit.noNewPrivileges = yesNo(name, key, value);
            return;
        case "Service.ProtectSystem":
            unit.protectSystemStrict = only(name, key, value, ["strict"]) === "strict";
            return;
        case "Service.ProtectHome":
            unit.protectHome = only(name, key, value, ["yes"]) === "yes";
            return;
        case "Service.PrivateTmp":
            unit.privateTmp = yesNo(name, key, value);
            return;
        case "Service.Restart":
            unit.restart = only(name, key, value, ["no", "on-failure"]) as ServiceUnit["restart"];
            return;
        case "Service.RestartSec": {
            const seconds = /^(\d+)s?$/.exec(value);
            if (seconds === null) {
                fail(
                    name,
                    `RestartSec=${value} is not honoured; accepted: whole seconds (5 or 5s)`,
                );
            }
            unit.restartSec = Number(seconds[1]);
            return;
        }
        case "Service.RestartForceExitStatus":
            for (const word of value.split(/\s+/)) {
                if (!/^SIG[A-Z]+$/.test(word)) {
                    fail(
                        name,
                        `RestartForceExitStatus=${value}: ${word} is not honoured; accepted: signal names`,
                    );
                }
                unit.restartForceSignals.push(word);
            }
            return;
        case "Service.TimeoutStartSec":
            if (!/^[1-9]\d*$/.test(value)) {
                fail(name, `TimeoutStartSec=${value} is not honoured; accepted: whole seconds`);
            }
            unit.timeoutStartSec = Number(value);
            return;
        default:
            fail(name, `[${section}] ${key}= is not honoured by the stand-in for systemd`);
    }
}

function readInto(unit: ServiceUnit, file: string): void {
    let section = "";
    fs.readFileSync(file, "utf8")
        .split("\n")
        .forEach((raw, index) => {
            const line = raw.trim();
            if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
            const header = /^\[(\w+)\]$/.exec(line);
            if (header !== null) {
                section = only(unit.name, "section", header[1], ["Unit", "Service", "Install"]);
                return;
            }
            const at = line.indexOf("=");
            if (at <= 0 || section === "" || raw.endsWith("\\")) {
                fail(unit.name, `${file}:${index + 1}: not a KEY=value line in a section`);
            }
            apply(unit, section, line.slice(0, at).trim(), line.slice(at + 1).trim());
        });
}

/** Reads <directory>/<name>.service and its drop-ins. */
export function readServiceUnit(directory: string, name: string): ServiceUnit {
    const file = path.join(directory, `${name}.service`);
    if (!fs.existsSync(file)) throw new Error(`${name}: no unit file ${file}`);
    const unit: ServiceUnit = {
        name,
        wants: [],
        bindsTo: [],
        after: [],
        before: [],
        type: "simple",
        remainAfterExit: false,
        execStartPre: [],
        execStart: [],
        execReload: [],
        execStop: [],
        execStopPost: [],
        environment: {},
        ambientCapabilities: [],
        noNewPrivileges: false,
        protectSystemStrict: false,
        protectHome: false,
        privateTmp: false,
        restart: "no",
        restartSec: 0.1,
        restartForceSignals: [],
    };
    readInto(unit, file);
    const dropIns = `${file}.d`;
    if (fs.existsSync(dropIns)) {
        for (const conf of fs
            .readdirSync(dropIns)
            .filter((f) => f.endsWith(".conf"))
            .sort()) {
            readInto(unit, path.join(dropIns, conf));
        }
    }
    if (unit.execStart.length === 0) fail(name, "no ExecStart=");
    if (unit.type === "simple" && unit.execStart.length > 1) {
        fail(name, "Type=simple takes one ExecStart=");
    }
    if (unit.group !== undefined && unit.user === undefined) {
        fail(name, "Group= without User= is not honoured");
    }
    return unit;
}
