// Reading an AWS config file (AWS_CONFIG_FILE, ~/.aws/config) bounded: whoever sets the variable
// or owns the file could point it at /dev/zero, a FIFO or a huge file, and an unbounded read would
// hang or exhaust memory. Only a regular file is read, at most maxAwsConfigBytes of it; opening
// does not block (O_NONBLOCK), so a FIFO is refused rather than waited on.
import * as fs from "fs";

/** Far above any real config (the sync writes about 300 bytes a profile, 50 profiles at most). */
export const maxAwsConfigBytes = 1024 * 1024;

/** A config file that is not a regular file, too large, or unreadable; names the file. */
export class AwsConfigFileError extends Error {
    constructor(
        public readonly file: string,
        public readonly reason: string,
    ) {
        super(`AWS config file ${file}: ${reason}`);
        this.name = "AwsConfigFileError";
    }
}

function kind(stat: fs.Stats): string {
    if (stat.isFIFO()) return "a FIFO";
    if (stat.isDirectory()) return "a directory";
    if (stat.isSocket()) return "a socket";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
    return "not a regular file";
}

/**
 * The file's text; undefined when it does not exist. Throws AwsConfigFileError when it is not a
 * regular file, holds more than `maxBytes`, or cannot be read.
 */
export function readAwsConfigFile(file: string, maxBytes = maxAwsConfigBytes): string | undefined {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        if (code === "ENOENT") return undefined;
        throw new AwsConfigFileError(file, `cannot be opened (${code})`);
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) {
            throw new AwsConfigFileError(file, `is ${kind(stat)}; expected a regular file`);
        }
        const buffer = Buffer.alloc(Math.min(maxBytes + 1, 64 * 1024));
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            const n = fs.readSync(fd, buffer, 0, buffer.length, null);
            if (n === 0) break;
            total += n;
            if (total > maxBytes) {
                throw new AwsConfigFileError(
                    file,
                    `longer than ${maxBytes} bytes, the most accepted for an AWS config file`,
                );
            }
            chunks.push(Buffer.from(buffer.subarray(0, n)));
        }
        return Buffer.concat(chunks).toString("utf8");
    } catch (error) {
        if (error instanceof AwsConfigFileError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        throw new AwsConfigFileError(file, `cannot be read (${code})`);
    } finally {
        fs.closeSync(fd);
    }
}
