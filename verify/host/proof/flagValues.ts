// The checks on each of verify's flag values: which flags take a value, and for each the shape or
// range it must have. Every check throws a UsageError naming the flag, the value and what is
// accepted; the caller collects them so all are reported at once.
import { readFlags } from "../../cli/flags";
import { UsageCollector, UsageError } from "../../../contract/usageError";
import {
    concurrencyBounds,
    defaultConcurrency,
    defaultDurationSeconds,
    defaultPropagationTimeoutSeconds,
} from "./options";

const valued = [
    "--targets",
    "--bucket",
    "--role-arn",
    "--region",
    "--session-name",
    "--external-id",
    "--duration-seconds",
    "--profile",
    "--propagation-timeout",
    "--concurrency",
    "--agent-url",
    "--agent-token-dir",
] as const;
export type ValuedFlag = (typeof valued)[number];

export function integerFlag(
    flag: string,
    raw: string | undefined,
    fallback: number,
    min: number,
    max: number,
): number {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
        throw new UsageError(
            flag,
            `got ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}`,
        );
    }
    return n;
}

export function matchFlag(
    flag: string,
    raw: string | undefined,
    pattern: RegExp,
    accepted: string,
): string | undefined {
    if (raw === undefined) return undefined;
    if (!pattern.test(raw))
        throw new UsageError(flag, `got ${JSON.stringify(raw)}; expected ${accepted}`);
    return raw;
}

/** The addresses a credential agent may be asked at: loopback (tests) and the two link-local ones. */
const agentHosts = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\]|169\.254\.170\.23|169\.254\.170\.2)$/;

/** --agent-url: plain HTTP (the SDKs send a token over it only to these hosts), no user or query. */
export function agentUrlFlag(raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    const accepted =
        "an http:// URL on a loopback address, 169.254.170.23 or 169.254.170.2, without user, query or fragment";
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new UsageError("--agent-url", `got ${JSON.stringify(raw)}; expected ${accepted}`);
    }
    if (
        url.protocol !== "http:" ||
        !agentHosts.test(url.hostname) ||
        url.username !== "" ||
        url.password !== "" ||
        url.search !== "" ||
        url.hash !== ""
    ) {
        throw new UsageError("--agent-url", `got ${JSON.stringify(raw)}; expected ${accepted}`);
    }
    return url.href;
}

/** The valued flags and --json, read by the one flag reader verify and the SSM runner share. */
export function readVerifyFlags(argv: readonly string[], problems: UsageCollector) {
    const { values, switches } = readFlags(argv, valued, ["--json"], problems);
    return { values, json: switches.has("--json") };
}

/** The run's settings from their flags; each is undefined when its flag was bad (and recorded). */
export function settingFlags(values: Map<ValuedFlag, string>, problems: UsageCollector) {
    const sessionName = problems.attempt(() =>
        matchFlag(
            "--session-name",
            values.get("--session-name"),
            /^[\w+=,.@-]{2,64}$/,
            "2 to 64 characters of letters, digits and +=,.@-_",
        ),
    );
    const durationSeconds = problems.attempt(() =>
        integerFlag(
            "--duration-seconds",
            values.get("--duration-seconds"),
            defaultDurationSeconds,
            900,
            43200,
        ),
    );
    const propagationTimeoutSeconds = problems.attempt(() =>
        integerFlag(
            "--propagation-timeout",
            values.get("--propagation-timeout"),
            defaultPropagationTimeoutSeconds,
            0,
            3600,
        ),
    );
    const concurrency = problems.attempt(() =>
        integerFlag(
            "--concurrency",
            values.get("--concurrency"),
            defaultConcurrency,
            concurrencyBounds.min,
            concurrencyBounds.max,
        ),
    );
    const agentUrl = problems.attempt(() => agentUrlFlag(values.get("--agent-url")));
    const agentTokenDir = problems.attempt(() =>
        matchFlag(
            "--agent-token-dir",
            values.get("--agent-token-dir"),
            /^\/[^\0]{0,4095}$/,
            "an absolute directory path",
        ),
    );
    return {
        sessionName,
        durationSeconds,
        propagationTimeoutSeconds,
        concurrency,
        agentUrl,
        agentTokenDir,
    };
}
