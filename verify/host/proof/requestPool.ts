// One bound on the proof's requests in flight, whichever service or step sends them: every SDK
// attempt (retries included) takes a slot while it is on the wire and gives it back when the answer
// is parsed, so backoff and propagation waits hold none. Waiters are served first come, first served.

export class RequestPool {
    private active = 0;
    private readonly waiting: (() => void)[] = [];
    /** The most requests that were in flight at once. */
    peak = 0;

    constructor(readonly limit: number) {
        if (!Number.isInteger(limit) || limit < 1)
            throw new RangeError(`request pool limit must be a positive integer, got ${limit}`);
    }

    async run<T>(work: () => Promise<T>): Promise<T> {
        if (this.active < this.limit) this.active++;
        // A released slot passes straight to the next waiter, so `active` stays at the limit.
        else await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.peak = Math.max(this.peak, this.active);
        try {
            return await work();
        } finally {
            const next = this.waiting.shift();
            if (next) next();
            else this.active--;
        }
    }
}
