// The services file: which service has which role and which token. Validated whole before the agent
// listens and on every reload; a bad file names the first bad key and what is accepted.
import * as fs from "fs";
import * as path from "path";

import {
    externalIdPattern,
    minimumTokenLength,
    regionPattern,
    roleArnPattern,
    serviceNamePattern,
} from "./rules";

export interface AgentService {
    readonly name: string;
    readonly roleArn: string;
    readonly externalId?: string;
    readonly tokenFile: string;
    /** The token file's content, trailing whitespace removed. Never logged. */
    readonly token: string;
}

export interface AgentConfig {
    readonly region: string;
    readonly services: readonly AgentService[];
}

export class ServicesFileError extends Error {
    constructor(
        readonly key: string,
        detail: string,
    ) {
        super(`${key}: ${detail}`);
        this.name = "ServicesFileError";
    }
}

export type ReadToken = (file: string) => string;

const readTokenFromDisk: ReadToken = (file) => fs.readFileSync(file, "utf8");

function show(value: unknown): string {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function requireString(
    record: Record<string, unknown>,
    key: string,
    where: string,
    pattern: RegExp,
    accepted: string,
): string {
    const value = record[key];
    if (value === undefined) throw new ServicesFileError(where, `missing (${accepted})`);
    if (typeof value !== "string" || !pattern.test(value)) {
        throw new ServicesFileError(where, `${show(value)} is not ${accepted}`);
    }
    return value;
}

function checkKeys(record: Record<string, unknown>, allowed: string[], where: string): void {
    for (const key of Object.keys(record)) {
        if (!allowed.includes(key)) {
            const at = where === "" ? key : `${where}.${key}`;
            throw new ServicesFileError(at, `unknown key (accepted: ${allowed.join(", ")})`);
        }
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readToken(file: string, where: string, read: ReadToken): string {
    let content: string;
    try {
        content = read(file);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new ServicesFileError(where, `token file ${file} cannot be read (${code})`);
    }
    const token = content.replace(/\s+$/, "");
    if (token.length < minimumTokenLength || /[^\x21-\x7e]/.test(token)) {
        throw new ServicesFileError(
            where,
            `token file ${file} must hold one token of at least ${minimumTokenLength} printable ASCII characters`,
        );
    }
    return token;
}

function parseService(entry: unknown, index: number, read: ReadToken): AgentService {
    const at = `services[${index}]`;
    if (!isRecord(entry)) throw new ServicesFileError(at, `${show(entry)} is not an object`);
    checkKeys(entry, ["name", "roleArn", "externalId", "tokenFile"], at);
    const name = requireString(
        entry,
        "name",
        `${at}.name`,
        serviceNamePattern,
        "a service name (1-32 of a-z, 0-9 and -, not starting or ending with -)",
    );
    const roleArn = requireString(
        entry,
        "roleArn",
        `${at}.roleArn`,
        roleArnPattern,
        "an IAM role ARN (arn:aws:iam::123456789012:role/name)",
    );
    const externalId =
        entry.externalId === undefined
            ? undefined
            : requireString(
                  entry,
                  "externalId",
                  `${at}.externalId`,
                  externalIdPattern,
                  "an ExternalId (2-1224 of letters, digits and +=,.@:/-)",
              );
    const tokenFile = requireString(
        entry,
        "tokenFile",
        `${at}.tokenFile`,
        /^\/[^\0]*$/,
        "an absolute path",
    );
    if (path.normalize(tokenFile) !== tokenFile) {
        throw new ServicesFileError(
            `${at}.tokenFile`,
            `${show(tokenFile)} is not a normalised path`,
        );
    }
    const token = readToken(tokenFile, `${at}.tokenFile`, read);
    return { name, roleArn, externalId, tokenFile, token };
}

/** Parses and checks a services file's text; throws a ServicesFileError naming the bad key. */
export function parseServicesFile(text: string, read: ReadToken = readTokenFromDisk): AgentConfig {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new ServicesFileError("(file)", `not JSON (${(error as Error).message})`);
    }
    if (!isRecord(document)) throw new ServicesFileError("(file)", "not a JSON object");
    checkKeys(document, ["region", "services"], "");
    const region = requireString(
        document,
        "region",
        "region",
        regionPattern,
        "an AWS region (us-east-1)",
    );
    if (!Array.isArray(document.services)) {
        throw new ServicesFileError(
            "services",
            document.services === undefined ? "missing (a list)" : "is not a list",
        );
    }
    const services = document.services.map((entry, i) => parseService(entry, i, read));
    const names = new Map<string, number>();
    const tokens = new Map<string, number>();
    services.forEach((service, i) => {
        const first = names.get(service.name);
        if (first !== undefined) {
            throw new ServicesFileError(
                `services[${i}].name`,
                `${show(service.name)} is already services[${first}].name (names are unique)`,
            );
        }
        names.set(service.name, i);
        const sameToken = tokens.get(service.token);
        if (sameToken !== undefined) {
            throw new ServicesFileError(
                `services[${i}].tokenFile`,
                `holds the same token as services[${sameToken}].tokenFile (each service needs its own)`,
            );
        }
        tokens.set(service.token, i);
    });
    return { region, services };
}

/** Reads and checks the services file at `file`. */
export function loadServicesFile(file: string, read: ReadToken = readTokenFromDisk): AgentConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new ServicesFileError(
            "(file)",
            `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        );
    }
    return parseServicesFile(text, read);
}
