// Reading an AWS config file bounded (contract/awsConfigFile.ts): /dev/zero, a FIFO or a file over
// the bound is refused at once, naming the file, through verify's --profile region lookup too.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { parseArgs } from "../../../verify/host/proof/args";
import {
    AwsConfigFileError,
    maxAwsConfigBytes,
    readAwsConfigFile,
} from "../../../contract/awsConfigFile";
import { profileRegion } from "../../../contract/region";
import { UsageError } from "../../../contract/usageError";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";

describe("reading an AWS config file", function () {
    // A hanging read is the bug: fail in seconds, not at mocha's default.
    this.timeout(5_000);
    let dir: string;
    let fifo: string;
    let large: string;
    before(() => {
        dir = makeTempDir("rolepair-awsconfig-");
        fifo = path.join(dir, "fifo");
        execFileSync("mkfifo", [fifo]);
        large = path.join(dir, "large");
        fs.writeFileSync(
            large,
            `[profile svc]\nregion = eu-west-1\n${"#".repeat(maxAwsConfigBytes)}\n`,
        );
    });
    after(() => removeTempDir(dir));

    const refused = (file: string, reason: RegExp) => (error: unknown) =>
        error instanceof AwsConfigFileError &&
        error.file === file &&
        reason.test(error.message) &&
        error.message.startsWith(`AWS config file ${file}: `);

    it("reads a regular file, and nothing for a missing one", () => {
        const file = path.join(dir, "config");
        fs.writeFileSync(file, "[profile svc]\nregion = eu-west-1\n");
        assert.strictEqual(readAwsConfigFile(file), "[profile svc]\nregion = eu-west-1\n");
        assert.strictEqual(readAwsConfigFile(path.join(dir, "absent")), undefined);
    });

    it("refuses /dev/zero, a FIFO and a directory as not regular files", () => {
        assert.throws(
            () => readAwsConfigFile("/dev/zero"),
            refused("/dev/zero", /is a device; expected a regular file/),
        );
        assert.throws(
            () => readAwsConfigFile(fifo),
            refused(fifo, /is a FIFO; expected a regular file/),
        );
        assert.throws(() => readAwsConfigFile(dir), refused(dir, /is a directory/));
    });

    it("refuses a file over the bound", () => {
        assert.throws(
            () => readAwsConfigFile(large),
            refused(large, new RegExp(`longer than ${maxAwsConfigBytes} bytes`)),
        );
    });

    it("verify's --profile region lookup says which file, as a usage error", () => {
        for (const file of ["/dev/zero", fifo, large]) {
            assert.throws(
                () => profileRegion("svc", { AWS_CONFIG_FILE: file }),
                AwsConfigFileError,
            );
            assert.throws(
                () =>
                    parseArgs(
                        [
                            "--bucket",
                            "b",
                            "--role-arn",
                            "arn:aws:iam::123456789012:role/r",
                            "--profile",
                            "svc",
                        ],
                        { AWS_CONFIG_FILE: file },
                    ),
                (error: unknown) =>
                    error instanceof UsageError &&
                    error.message.includes(`--profile: AWS config file ${file}: `),
                file,
            );
        }
    });
});
