// Per-service credentials: one AssumeRole shared by concurrent first requests, served from memory
// until the last five minutes of their life, refreshed in the background from then on, never
// served once expired. If STS fails, what is cached is served until it expires.

export interface RoleCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    readonly expiration: Date;
}

/** What the cache asks STS for: one service's role. */
export interface RoleRequest {
    readonly name: string;
    readonly roleArn: string;
    readonly externalId?: string;
}

export type AssumeRole = (request: RoleRequest) => Promise<RoleCredentials>;

export interface CacheOptions {
    /** Milliseconds since the epoch (Date.now in the agent, a fake clock in tests). */
    readonly now?: () => number;
    /** Refresh once fewer than this many milliseconds are left. */
    readonly refreshWindowMs?: number;
    /** Called with one line (a service name and an error's name and message) on a failed refresh. */
    readonly log?: (line: string) => void;
}

interface Entry {
    credentials?: RoleCredentials;
    pending?: Promise<RoleCredentials>;
}

export const defaultRefreshWindowMs = 5 * 60_000;

/** The key one cached credential is stored under: a changed role or ExternalId is a new key. */
function keyOf(request: RoleRequest): string {
    return JSON.stringify([request.name, request.roleArn, request.externalId ?? null]);
}

export function describeError(error: unknown): string {
    const e = error as { name?: string; message?: string };
    return `${e.name ?? "Error"}: ${e.message ?? String(error)}`;
}

export class CredentialCache {
    private readonly entries = new Map<string, Entry>();
    private readonly now: () => number;
    private readonly refreshWindowMs: number;
    private readonly log: (line: string) => void;

    constructor(
        private readonly assumeRole: AssumeRole,
        options: CacheOptions = {},
    ) {
        this.now = options.now ?? Date.now;
        this.refreshWindowMs = options.refreshWindowMs ?? defaultRefreshWindowMs;
        this.log = options.log ?? (() => undefined);
    }

    /** The service's credentials: cached, or fetched (once, however many ask at the same time). */
    async get(request: RoleRequest): Promise<RoleCredentials> {
        const key = keyOf(request);
        const entry = this.entries.get(key) ?? {};
        this.entries.set(key, entry);
        const cached = entry.credentials;
        const left = cached === undefined ? 0 : cached.expiration.getTime() - this.now();
        if (cached !== undefined && left > 0) {
            if (left <= this.refreshWindowMs) {
                this.fetch(key, entry, request).catch((error) =>
                    this.log(`refresh for ${request.name} failed: ${describeError(error)}`),
                );
            }
            return cached;
        }
        entry.credentials = undefined;
        return this.fetch(key, entry, request);
    }

    /** Forgets every service not in `keep` (a reload removed or changed it). */
    retain(keep: readonly RoleRequest[]): void {
        const wanted = new Set(keep.map(keyOf));
        for (const key of this.entries.keys()) if (!wanted.has(key)) this.entries.delete(key);
    }

    /** How many services have credentials or a fetch in flight. */
    get size(): number {
        return this.entries.size;
    }

    private fetch(key: string, entry: Entry, request: RoleRequest): Promise<RoleCredentials> {
        if (entry.pending !== undefined) return entry.pending;
        const pending = this.assumeRole(request).then(
            (credentials) => {
                entry.pending = undefined;
                // Stored only if the service is still configured as it was when asked.
                if (this.entries.get(key) === entry) entry.credentials = credentials;
                return credentials;
            },
            (error: unknown) => {
                entry.pending = undefined;
                throw error;
            },
        );
        entry.pending = pending;
        return pending;
    }
}
