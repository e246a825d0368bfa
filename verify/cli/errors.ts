// Recognise AWS errors by name, as aws-sdk-js-v3 recommends; anything unknown is reported as is.

export function errorName(error: unknown): string {
    if (error && typeof error === "object" && "name" in error && typeof error.name === "string")
        return error.name;
    return "Error";
}

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** `Name: message`, one line, for a report's `observed`. */
export function describeError(error: unknown): string {
    const message = errorMessage(error).split("\n")[0];
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
        ?.httpStatusCode;
    return `${errorName(error)}${status ? ` (HTTP ${status})` : ""}: ${message}`;
}

export function isAccessDenied(error: unknown): boolean {
    const name = errorName(error);
    return name === "AccessDenied" || name === "AccessDeniedException" || name === "Forbidden";
}

const networkCodes = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EPIPE",
]);

/** True when AWS did not answer at all (as opposed to answering "no"). */
export function isUnreachable(error: unknown): boolean {
    const e = error as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
    if (e?.$metadata?.httpStatusCode)
        return e.$metadata.httpStatusCode >= 500 && e.name !== "AccessDenied";
    return (
        networkCodes.has(e?.code ?? "") ||
        e?.name === "TimeoutError" ||
        e?.name === "RequestTimeout" ||
        /socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|timed out|connect ETIMEDOUT/i.test(
            errorMessage(error),
        )
    );
}

/** True when the default chain found no credentials at all (the SDK's CredentialsProviderError). */
export function isNoCredentials(error: unknown): boolean {
    return errorName(error) === "CredentialsProviderError";
}
