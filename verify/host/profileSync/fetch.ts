// Reading the profiles' parameters: the AWS CLI the host ships (Amazon Linux 2023 has v2), with
// its default credential chain (the instance's role through IMDSv2), AWS_ENDPOINT_URL honoured,
// paging through every result itself. The CLI rather than @aws-sdk/client-ssm keeps this program
// small enough (19 KB; about 10 KB gzipped and base64-encoded) for the user data to carry, so a
// host gets it on first boot whether or not a deploy ever reaches it; the data it returns is
// checked here, not trusted.
import { execFile } from "child_process";

import { maxServicesPerHost } from "../../../contract/plan";
import { maxProfileParameterChars } from "../../../contract/profileParameters";

export interface RawParameter {
    name: string;
    value: unknown;
}

/**
 * Why the parameters could not be used: the old config file is kept. `answered` when SSM did
 * answer and the answer is refused (too many parameters), not when it could not be read.
 */
export class FetchError extends Error {
    constructor(
        message: string,
        public readonly answered = false,
    ) {
        super(message);
        this.name = "FetchError";
    }
}

/** One more than the services a host may have: a path holding more is refused whole. */
const maxItems = maxServicesPerHost + 1;
/** The CLI's answer at its largest: every value at its longest, JSON-escaped, and the metadata. */
const maxAnswerBytes = maxItems * (maxProfileParameterChars * 6 + 2048);

export interface FetchOptions {
    path: string;
    region: string;
    /** The CLI's executable; `aws` on PATH by default. */
    aws?: string;
    timeoutMs: number;
}

function cliAnswer(options: FetchOptions): Promise<string> {
    const args = [
        "ssm",
        "get-parameters-by-path",
        "--path",
        options.path,
        "--region",
        options.region,
        "--max-items",
        String(maxItems),
        "--output",
        "json",
    ];
    return new Promise((resolve, reject) => {
        execFile(
            options.aws ?? "aws",
            args,
            { timeout: options.timeoutMs, maxBuffer: maxAnswerBytes, killSignal: "SIGKILL" },
            (error, stdout, stderr) => {
                if (error === null) return resolve(stdout);
                const why =
                    (error as NodeJS.ErrnoException).code === "ENOENT"
                        ? `${options.aws ?? "aws"} not found (the AWS CLI reads the parameters)`
                        : error.killed
                          ? `the AWS CLI gave no answer within ${options.timeoutMs / 1000} s`
                          : String(stderr).trim().split("\n").slice(-3).join(" ") || error.message;
                reject(new FetchError(`could not read ${options.path} from SSM: ${why}`));
            },
        );
    });
}

/** Every parameter under `path`, as SSM returned them; throws FetchError when SSM cannot answer. */
export async function fetchParameters(options: FetchOptions): Promise<RawParameter[]> {
    const answer = await cliAnswer(options);
    let parsed: unknown;
    try {
        parsed = answer.trim() === "" ? {} : JSON.parse(answer);
    } catch {
        throw new FetchError(`the AWS CLI's answer for ${options.path} is not JSON`);
    }
    const list = (parsed as { Parameters?: unknown }).Parameters ?? [];
    if (!Array.isArray(list)) {
        throw new FetchError(`the AWS CLI's answer for ${options.path} has no list of Parameters`);
    }
    if (list.length > maxServicesPerHost) {
        throw new FetchError(
            `${options.path} holds more than ${maxServicesPerHost} parameters (maxServicesPerHost); refusing to choose among them`,
            true,
        );
    }
    return list.map((p: unknown) => {
        const entry = (typeof p === "object" && p !== null ? p : {}) as Record<string, unknown>;
        return { name: String(entry.Name), value: entry.Value };
    });
}
