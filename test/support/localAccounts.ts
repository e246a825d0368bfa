// Real local users and groups for tests of the host's agent side, under rolepair-test-* names
// only: each one made here or by the code under test is registered, and removed when the suite
// ends or the process exits (also on SIGTERM, SIGINT and SIGHUP).
import { execFileSync } from "child_process";

import { registerCleanup } from "../../lab/cleanup";

const prefix = "rolepair-test-";
const users = new Set<string>();
const groups = new Set<string>();
let installed = false;

function checked(name: string): string {
    if (!name.startsWith(prefix) || !/^[a-z0-9-]{1,32}$/.test(name)) {
        throw new Error(`test accounts must be named ${prefix}*; got ${JSON.stringify(name)}`);
    }
    return name;
}

function quiet(file: string, args: string[]): boolean {
    try {
        execFileSync(file, args, { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export function accountExists(database: "passwd" | "group", name: string): boolean {
    return quiet("getent", [database, name]);
}

/** The entry's fields (getent), or undefined. */
export function accountEntry(database: "passwd" | "group", name: string): string[] | undefined {
    try {
        return execFileSync("getent", [database, name], { encoding: "utf8" }).trimEnd().split(":");
    } catch {
        return undefined;
    }
}

/** Removes every registered account (users first: their own groups go with them). */
export function removeTestAccounts(): void {
    for (const user of users) if (accountExists("passwd", user)) quiet("userdel", [user]);
    users.clear();
    for (const group of groups) if (accountExists("group", group)) quiet("groupdel", [group]);
    groups.clear();
}

function install(): void {
    if (installed) return;
    installed = true;
    registerCleanup(removeTestAccounts);
}

/** Registers names the code under test may make, so that they are removed too. */
export function expectAccounts(kind: "user" | "group", ...names: string[]): void {
    install();
    for (const name of names) (kind === "user" ? users : groups).add(checked(name));
}

/** Makes a system user (no home, no shell) with its own group. */
export function makeTestUser(name: string): void {
    expectAccounts("user", name);
    expectAccounts("group", name);
    execFileSync("useradd", [
        "--system",
        "--user-group",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        checked(name),
    ]);
}

/**
 * Makes a user who can log in over SSH with a key (a shell; its password field "*", which sshd
 * does not count as locked, as it does useradd's "!"), with its own group, its home `home` (not
 * made here: the stand-in host's /home holds it).
 */
export function makeLoginUser(name: string, home: string): void {
    expectAccounts("user", name);
    expectAccounts("group", name);
    execFileSync("useradd", [
        ...["--system", "--user-group", "--no-create-home", "--home-dir", home],
        ...["--shell", "/bin/sh", "--password", "*", checked(name)],
    ]);
}
