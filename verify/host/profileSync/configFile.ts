// Writing the user's AWS config file as root without following the user's links. Every step
// after the home goes through an open directory (/proc/self/fd/N), so a ~/.aws swapped for a
// symbolic link between a check and a use changes nothing: the open directory is the one that was
// checked. Links are refused (O_NOFOLLOW, lstat), so are FIFOs, devices and other non-regular
// files, and ~/.aws must be a real directory owned by the home's owner. The file is written beside
// the old one (a temporary name in the same directory, then rename), mode 600, owned by ~/.aws's
// owner, and only when its content changed.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = fs.constants;

/** Why the file was not written: the old one (if any) is left as it is. */
export class ConfigFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigFileError";
    }
}

/** The most an existing config file may hold for it to be compared (the sync writes far less). */
const maxExistingBytes = 1024 * 1024;

/** Opens a directory at `at`, refusing a link; returns the fd and what it is. */
function openDirectory(at: string, shownAs: string): { fd: number; stat: fs.Stats } {
    let fd: number;
    try {
        fd = fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ELOOP") {
            throw new ConfigFileError(
                `${shownAs} is a symbolic link; refused (root follows no link of the user's)`,
            );
        }
        if (code === "ENOTDIR") throw new ConfigFileError(`${shownAs} is not a directory; refused`);
        throw new ConfigFileError(`${shownAs} cannot be opened (${code})`);
    }
    return { fd, stat: fs.fstatSync(fd) };
}

/** What is at `at` now, without following a link; undefined when nothing is. */
function lstatOrNothing(at: string): fs.Stats | undefined {
    try {
        return fs.lstatSync(at);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
    }
}

function kind(stat: fs.Stats): string {
    if (stat.isSymbolicLink()) return "a symbolic link";
    if (stat.isFIFO()) return "a FIFO";
    if (stat.isDirectory()) return "a directory";
    if (stat.isSocket()) return "a socket";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
    return "not a regular file";
}

/** The current content of `name` in the open directory, refusing anything but a regular file. */
function readExisting(dir: string, name: string, shownAs: string): string | undefined {
    const at = path.join(dir, name);
    const before = lstatOrNothing(at);
    if (before === undefined) return undefined;
    if (!before.isFile()) throw new ConfigFileError(`${shownAs} is ${kind(before)}; refused`);
    // O_NONBLOCK: should a FIFO replace the file after the lstat, opening it still cannot hang.
    let fd: number;
    try {
        fd = fs.openSync(at, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ConfigFileError(
            `${shownAs} cannot be opened (${code === "ELOOP" ? "a symbolic link" : code}); refused`,
        );
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new ConfigFileError(`${shownAs} is ${kind(stat)}; refused`);
        if (stat.size > maxExistingBytes) return "";
        return fs.readFileSync(fd, "utf8");
    } finally {
        fs.closeSync(fd);
    }
}

/** The directory FILE is in (~/.aws): made by root for the home's owner when missing. */
function openConfigDirectory(configFile: string): { fd: number; stat: fs.Stats } {
    const awsDir = path.dirname(configFile);
    const home = openDirectory(path.dirname(awsDir), path.dirname(awsDir));
    try {
        const inHome = path.join(`/proc/self/fd/${home.fd}`, path.basename(awsDir));
        const existing = lstatOrNothing(inHome);
        if (existing === undefined) {
            fs.mkdirSync(inHome, { mode: 0o700 });
            const made = openDirectory(inHome, awsDir);
            fs.fchownSync(made.fd, home.stat.uid, home.stat.gid);
            return { fd: made.fd, stat: fs.fstatSync(made.fd) };
        }
        if (!existing.isDirectory())
            throw new ConfigFileError(`${awsDir} is ${kind(existing)}; refused`);
        const dir = openDirectory(inHome, awsDir);
        if (dir.stat.uid !== home.stat.uid) {
            fs.closeSync(dir.fd);
            throw new ConfigFileError(
                `${awsDir} is owned by uid ${dir.stat.uid}, not by ${path.dirname(awsDir)}'s owner (uid ${home.stat.uid}); refused`,
            );
        }
        return dir;
    } finally {
        fs.closeSync(home.fd);
    }
}

/**
 * Writes `content` to `configFile` unless it already holds exactly that; returns whether it
 * wrote. Throws ConfigFileError, naming the path and why, for anything it refuses.
 */
export function writeConfigFile(configFile: string, content: string): boolean {
    const dir = openConfigDirectory(configFile);
    try {
        const at = `/proc/self/fd/${dir.fd}`;
        const name = path.basename(configFile);
        if (readExisting(at, name, configFile) === content) return false;
        const temp = `.${name}.rolepair-${randomBytes(6).toString("hex")}`;
        // O_EXCL with O_CREAT refuses any existing name, a link included.
        const fd = fs.openSync(
            path.join(at, temp),
            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
            0o600,
        );
        try {
            try {
                fs.writeFileSync(fd, content);
                fs.fchmodSync(fd, 0o600);
                fs.fchownSync(fd, dir.stat.uid, dir.stat.gid);
                fs.fsyncSync(fd);
            } finally {
                fs.closeSync(fd);
            }
            // rename replaces the name itself: a link put there since is replaced, not followed.
            fs.renameSync(path.join(at, temp), path.join(at, name));
        } catch (error) {
            fs.rmSync(path.join(at, temp), { force: true });
            throw error;
        }
        return true;
    } finally {
        fs.closeSync(dir.fd);
    }
}
