// The agent's files on the host, written as root without following links: its directory and the
// token directory (root's, 0755), a token per service (made once, never rewritten while the
// service stays; owner the agent's user, group the service's, 0440) and the services file
// (replaced by rename, 0640 root:<agent's group>). The directories are root's in root's /etc, so
// only root could swap one between a check and a use; each file's own name is still opened with
// O_NOFOLLOW and O_EXCL, so a link found there is refused, never followed.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import {
    agentServicesFile,
    agentTokenDirectory,
    agentTokenFile,
    minimumTokenLength,
    tokenBytes,
} from "../../../contract/credentialAgent";
import type { HostProfile } from "../../../contract/profileParameters";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/** Why an agent file was not written; the message names the path. */
export class AgentFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AgentFileError";
    }
}

/** The directories from /etc down to the token directory that the sync owns. */
const ownedDirectories = [
    path.dirname(path.dirname(agentServicesFile)),
    path.dirname(agentServicesFile),
    agentTokenDirectory,
];

/** `root` + the host path: root is "" on a host, a temporary directory in the tests. */
export const onHost = (root: string, hostPath: string) => `${root}${hostPath}`;

function lstatOrNothing(at: string): fs.Stats | undefined {
    try {
        return fs.lstatSync(at);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
    }
}

/** Makes (or checks) /etc/rolepair, its agent directory and the token directory: root's, 0755. */
export function ensureAgentDirectories(root: string): void {
    fs.mkdirSync(onHost(root, path.dirname(ownedDirectories[0])), { recursive: true });
    for (const dir of ownedDirectories) {
        const at = onHost(root, dir);
        if (lstatOrNothing(at) === undefined) fs.mkdirSync(at, { mode: 0o755 });
        const stat = fs.lstatSync(at);
        if (!stat.isDirectory()) throw new AgentFileError(`${dir} is not a directory; refused`);
        if (stat.uid !== 0) {
            throw new AgentFileError(`${dir} is owned by uid ${stat.uid}, not root; refused`);
        }
        if ((stat.mode & 0o7777) !== 0o755) fs.chmodSync(at, 0o755);
    }
}

/** Whether any of the agent's files is on the host (what turning the agent off must remove). */
export function agentFilesPresent(root: string): boolean {
    return lstatOrNothing(onHost(root, path.dirname(agentServicesFile))) !== undefined;
}

/** The services whose token files are in the token directory now (file names, sorted). */
export function tokenServices(root: string): string[] {
    try {
        return fs
            .readdirSync(onHost(root, agentTokenDirectory))
            .filter((name) => !name.startsWith("."))
            .sort();
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
    }
}

/** Writes `content` to a new file at `at` (never an existing name), then sets owner and mode. */
function writeNew(at: string, content: string, uid: number, gid: number, mode: number): void {
    const fd = fs.openSync(at, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
        fs.writeFileSync(fd, content);
        fs.fchownSync(fd, uid, gid);
        fs.fchmodSync(fd, mode);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

const temporaryName = (at: string) =>
    path.join(path.dirname(at), `.${path.basename(at)}.rolepair-${randomBytes(6).toString("hex")}`);

/**
 * Makes the service's token file unless it is there; corrects its owner, group and mode when they
 * drifted. Returns "made" or "kept". The token is written whole under a temporary name and linked
 * to its own (link never replaces a name), so no reader ever sees part of one.
 */
export function ensureTokenFile(
    root: string,
    service: string,
    uid: number,
    gid: number,
): "made" | "kept" {
    const hostPath = agentTokenFile(service);
    const at = onHost(root, hostPath);
    const existing = lstatOrNothing(at);
    if (existing === undefined) {
        const temp = temporaryName(at);
        try {
            // No newline: the file is the Authorization header as read (botocore refuses a token
            // file holding "\n", as EKS Pod Identity's has none).
            writeNew(temp, randomBytes(tokenBytes).toString("hex"), uid, gid, 0o440);
            fs.linkSync(temp, at);
        } finally {
            fs.rmSync(temp, { force: true });
        }
        return "made";
    }
    if (!existing.isFile()) throw new AgentFileError(`${hostPath} is not a regular file; refused`);
    let fd: number;
    try {
        fd = fs.openSync(at, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
        throw new AgentFileError(
            `${hostPath} cannot be opened (${(error as NodeJS.ErrnoException).code}); refused`,
        );
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new AgentFileError(`${hostPath} is not a regular file; refused`);
        if (stat.nlink !== 1) {
            throw new AgentFileError(`${hostPath} has ${stat.nlink} links; refused`);
        }
        const token = fs.readFileSync(fd, "utf8").replace(/\s+$/, "");
        if (token.length < minimumTokenLength || /[^\x21-\x7e]/.test(token)) {
            // Never rewritten in place: a holder of the old token would silently lose it.
            throw new AgentFileError(
                `${hostPath} does not hold a token (remove it to have a new one made); refused`,
            );
        }
        if (stat.uid !== uid || stat.gid !== gid) fs.fchownSync(fd, uid, gid);
        if ((stat.mode & 0o7777) !== 0o440) fs.fchmodSync(fd, 0o440);
    } finally {
        fs.closeSync(fd);
    }
    return "kept";
}

/** Removes a service's token file (a name in root's directory: unlink never follows it). */
export function removeTokenFile(root: string, service: string): void {
    fs.rmSync(onHost(root, agentTokenFile(service)), { force: true });
}

/**
 * The services file's text for the profiles that have `agent`: the agent's format (region, then
 * each service's name, role, ExternalId and token file), sorted by name. Under a stand-in root the
 * token paths are the stand-in's, so an agent started there reads them.
 */
export function renderAgentServices(
    profiles: readonly HostProfile[],
    region: string,
    root = "",
): string {
    const services = profiles
        .filter((p) => p.agent !== undefined)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((p) => ({
            name: p.name,
            roleArn: p.roleArn,
            ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
            tokenFile: onHost(root, agentTokenFile(p.name)),
        }));
    return `${JSON.stringify({ region, services }, null, 2)}\n`;
}

/** Replaces the services file by rename unless it holds `content`; returns whether it wrote. */
export function writeServicesFile(root: string, content: string, agentGid: number): boolean {
    const at = onHost(root, agentServicesFile);
    const existing = lstatOrNothing(at);
    if (existing !== undefined && !existing.isFile()) {
        throw new AgentFileError(`${agentServicesFile} is not a regular file; refused`);
    }
    if (existing !== undefined) {
        const current = fs.readFileSync(at, "utf8");
        const owned = existing.uid === 0 && existing.gid === agentGid;
        if (current === content && owned && (existing.mode & 0o7777) === 0o640) return false;
    }
    const temp = temporaryName(at);
    try {
        writeNew(temp, content, 0, agentGid, 0o640);
        // rename replaces the name itself: whatever is there is replaced, not followed.
        fs.renameSync(temp, at);
    } finally {
        fs.rmSync(temp, { force: true });
    }
    return true;
}

/** Removes the services file, the token directory and the agent's directory (when empty). */
export function removeAgentFiles(root: string): void {
    fs.rmSync(onHost(root, agentServicesFile), { force: true });
    for (const dir of [...ownedDirectories].reverse()) {
        try {
            fs.rmdirSync(onHost(root, dir));
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        }
    }
}
