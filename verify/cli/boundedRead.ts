// Reads an input file (or stdin) the way every CLI does: at most a stated number of bytes, so that
// /dev/zero, /dev/urandom or a runaway pipe is refused with a usage error instead of filling memory.
import * as fs from "fs";

/** An input longer than its bound; the caller names the flag. */
export class InputTooLargeError extends Error {
    constructor(
        public readonly source: string,
        public readonly maxBytes: number,
    ) {
        super(`longer than ${maxBytes} bytes, the most accepted here`);
        this.name = "InputTooLargeError";
    }
}

/** The most a plan can take: 50 services, each well under 2 KB of JSON. */
export const maxPlanBytes = 1024 * 1024;

/** The most `pulumi stack output --json --show-secrets` may be: generous for other outputs. */
export const maxOutputsBytes = 16 * 1024 * 1024;

/**
 * The UTF-8 text of `source` ("-" is stdin), reading at most `maxBytes` + 1 bytes: one more means
 * the input is longer than accepted, whatever the file says its size is (a device says 0).
 */
export function readBounded(source: string, maxBytes: number): string {
    const fd = source === "-" ? 0 : fs.openSync(source, "r");
    try {
        const buffer = Buffer.alloc(Math.min(maxBytes + 1, 64 * 1024));
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            let n: number;
            try {
                n = fs.readSync(fd, buffer, 0, buffer.length, null);
            } catch (error) {
                // A non-blocking stdin with nothing yet: wait for it as readFileSync would not.
                if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
                    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
                    continue;
                }
                throw error;
            }
            if (n === 0) break;
            total += n;
            if (total > maxBytes)
                throw new InputTooLargeError(source === "-" ? "stdin" : source, maxBytes);
            chunks.push(Buffer.from(buffer.subarray(0, n)));
        }
        return Buffer.concat(chunks).toString("utf8");
    } finally {
        if (fd !== 0) fs.closeSync(fd);
    }
}
