// What one proof run is told (ProofOptions) and the defaults the flags fall back to. Its own room
// so that the proof, the library's callers and the usage text read the same numbers without
// importing the command-line parser.
import type { VerifyTarget } from "../../../contract/plan";

export interface ProofOptions {
    /** The services to prove, in report order. */
    targets: VerifyTarget[];
    region: string;
    /** Session name; with perServiceSessions each service's is `${sessionName}-${service}` (64 chars at most). */
    sessionName: string;
    /** True with --targets; the single-target flags keep sessionName exactly. Default false. */
    perServiceSessions?: boolean;
    durationSeconds: number;
    /** How long AssumeRole is retried on AccessDenied while IAM changes propagate. */
    propagationTimeoutMs: number;
    json: boolean;
    /** Requests in flight at once, across all services (--concurrency). Default defaultConcurrency. */
    concurrency?: number;
    /** AWS_ENDPOINT_URL: an emulator or VPC endpoint; S3 then uses path-style addressing. */
    endpoint?: string;
    /** --agent-url: the credential agent's credentials URL. Default agentCredentialsUrl. */
    agentUrl?: string;
    /** --agent-token-dir: where the services' token files are. Default agentTokenDirectory. */
    agentTokenDir?: string;
    /** The metadata endpoint the IMDS lock is checked at. Default AWS_EC2_METADATA_SERVICE_ENDPOINT, then 169.254.169.254. */
    imdsEndpoint?: string;
}

/** Default of --duration-seconds (STS's minimum). */
export const defaultDurationSeconds = 900;
/**
 * Default of --concurrency: requests in flight at once across all services. AWS's rate limits are
 * far away (S3: 3,500 writes and 5,500 reads per second per prefix, and a proof sends each bucket
 * N + 4 requests; STS: 2N + 1 calls in all); verify spends about a millisecond of CPU per request
 * in the SDK, so 64 answers of ~50 ms keep one core busy; a server that serves one request at a
 * time (an emulator) keeps each waiting for at most 63 others, well inside the 15 s request
 * timeout; and 64 sockets are few next to the default limit of 1,024 open files.
 */
export const defaultConcurrency = 64;
/** Bounds of --concurrency: 1 (one request at a time) to 256 (a quarter of the default open-file limit). */
export const concurrencyBounds = { min: 1, max: 256 } as const;
/** Default of --propagation-timeout, in seconds. */
export const defaultPropagationTimeoutSeconds = 120;
