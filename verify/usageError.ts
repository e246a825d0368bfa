/** A bad flag or plan entry (exit 2). `flag` is the flag or the plan path, such as `--targets[1].roleArn`. */
export class UsageError extends Error {
    constructor(
        public readonly flag: string,
        message: string,
    ) {
        super(`${flag}: ${message}`);
        this.name = "UsageError";
    }
}
