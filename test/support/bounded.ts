// Guards that make a test whose code never gives up fail fast and cleanly, instead of running the
// unit layer out of memory (a retry loop with a virtual clock) or waiting for mocha's timeout with
// handles still open (a request pool that never releases a slot).

/**
 * A retry's `sleep` that counts its calls and throws after `limit`: a retry loop that never gives
 * up fails with this message at once. `onSleep` sees each wait (to advance a virtual clock);
 * `yieldEach` lets timers run between waits that do not really wait.
 */
export function boundedSleep(
    limit: number,
    onSleep: (ms: number) => void = () => undefined,
    yieldEach = false,
): (ms: number) => Promise<void> {
    let calls = 0;
    return async (ms: number) => {
        if (++calls > limit)
            throw new Error(`slept ${limit} times and was asked again: the retry never gives up`);
        onSleep(ms);
        // Without a real wait, a loop of resolved promises starves timers, mocha's among them.
        if (yieldEach) await new Promise((resolve) => setImmediate(resolve));
    };
}

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives the race. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
    });
    try {
        return await Promise.race([promise, expired]);
    } finally {
        clearTimeout(timer);
    }
}
