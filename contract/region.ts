// Where the region comes from when --region is not given: the --profile's region in the AWS config
// file, or on EC2 the instance's own region from the instance metadata service (IMDSv2, with a token).
import * as http from "http";
import * as os from "os";
import * as path from "path";

import { readAwsConfigFile } from "./awsConfigFile";
import { regionRule } from "./rules";

/** The region rule's pattern (contract/rules.ts), for the flags and outputs that check one. */
export const regionPattern = regionRule.pattern;

/** The AWS config file the SDK reads: AWS_CONFIG_FILE, or ~/.aws/config. */
export function awsConfigPath(env: NodeJS.ProcessEnv): string {
    return env.AWS_CONFIG_FILE || path.join(env.HOME || os.homedir(), ".aws", "config");
}

/**
 * The `region` of `[profile NAME]` (or `[default]`) in the AWS config file, if any. Throws
 * AwsConfigFileError when the file is not a regular file or too large (a device, a FIFO).
 */
export function profileRegion(profile: string, env: NodeJS.ProcessEnv): string | undefined {
    const text = readAwsConfigFile(awsConfigPath(env));
    if (text === undefined) return undefined;
    const sections =
        profile === "default" ? ["default", "profile default"] : [`profile ${profile}`];
    let inProfile = false;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
        const header = /^\[\s*(.+?)\s*\]$/.exec(line);
        if (header) {
            inProfile = sections.includes(header[1].replace(/\s+/g, " "));
            continue;
        }
        const entry = /^region\s*=\s*(\S+)/.exec(line);
        if (inProfile && entry) return entry[1];
    }
    return undefined;
}

function imdsRequest(
    url: URL,
    method: "PUT" | "GET",
    headers: Record<string, string>,
    timeoutMs: number,
): Promise<string | undefined> {
    return new Promise((resolve) => {
        const req = http.request(url, { method, headers, timeout: timeoutMs }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : undefined));
            res.on("error", () => resolve(undefined));
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(undefined));
        req.end();
    });
}

/**
 * The EC2 instance's region from IMDSv2 (`/latest/meta-data/placement/region`, after a PUT for a
 * session token), or undefined off EC2 or with AWS_EC2_METADATA_DISABLED=true. The endpoint honours
 * AWS_EC2_METADATA_SERVICE_ENDPOINT (and _MODE=IPv6) as the SDK does; each request waits ≤ 1 s.
 */
export async function instanceRegion(
    env: NodeJS.ProcessEnv,
    timeoutMs = 1_000,
): Promise<string | undefined> {
    if (env.AWS_EC2_METADATA_DISABLED?.toLowerCase() === "true") return undefined;
    const base =
        env.AWS_EC2_METADATA_SERVICE_ENDPOINT ||
        (env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === "ipv6"
            ? "http://[fd00:ec2::254]"
            : "http://169.254.169.254");
    let root: URL;
    try {
        root = new URL(base);
    } catch {
        return undefined;
    }
    const token = await imdsRequest(
        new URL("/latest/api/token", root),
        "PUT",
        { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
        timeoutMs,
    );
    if (!token) return undefined;
    const region = await imdsRequest(
        new URL("/latest/meta-data/placement/region", root),
        "GET",
        { "x-aws-ec2-metadata-token": token },
        timeoutMs,
    );
    return region && regionPattern.test(region) ? region : undefined;
}
