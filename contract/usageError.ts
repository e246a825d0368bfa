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

/**
 * Every usage error of one command line, reported at once. It is a UsageError (the first one's
 * flag) whose message has one line per error.
 */
export class UsageErrors extends UsageError {
    constructor(public readonly errors: readonly UsageError[]) {
        super(errors[0].flag, "");
        this.message = errors.map((e) => e.message).join("\n");
        this.name = "UsageErrors";
    }
}

/** Collects usage errors instead of stopping at the first. */
export class UsageCollector {
    readonly errors: UsageError[] = [];

    /** Runs `check`; a UsageError (or UsageErrors) it throws is recorded and `undefined` returned. */
    attempt<T>(check: () => T): T | undefined {
        try {
            return check();
        } catch (error) {
            if (error instanceof UsageErrors) this.errors.push(...error.errors);
            else if (error instanceof UsageError) this.errors.push(error);
            else throw error;
            return undefined;
        }
    }

    add(flag: string, message: string): void {
        this.errors.push(new UsageError(flag, message));
    }

    /** Throws every recorded error at once (a plain UsageError when there is one). */
    throwIfAny(): void {
        if (this.errors.length === 1) throw this.errors[0];
        if (this.errors.length > 1) throw new UsageErrors(this.errors);
    }
}
