// The programs this package ships in dist/ that the components deploy to the host or run on the
// operator's machine, and what every command run on the operator's machine is given.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";

import { packagedBundlePath } from "./packageRoot";

/** dist/verify.js of this package, built by `npm run build`. */
export const defaultVerifyBundlePath = packagedBundlePath("verify.js");

/** dist/ssm-runner.js of this package: drives the proof through SSM Run Command, from the operator's machine. */
export const defaultSsmRunnerPath = packagedBundlePath("ssm-runner.js");

/** dist/host-key.js of this package: reads the host's SSH key from its EC2 console output. */
export const defaultHostKeyReaderPath = packagedBundlePath("host-key.js");

export function sha256(text: string | Buffer): string {
    return createHash("sha256").update(text).digest("hex");
}

/** Reads a bundle built by `npm run build`; a missing one is a clear error, not a late failure. */
export function readVerifyBundle(bundlePath: string): { path: string; hash: string } {
    if (!fs.existsSync(bundlePath)) {
        throw new Error(
            `The verify bundle ${bundlePath} does not exist. Run "npm run build" first, or set verify: false.`,
        );
    }
    return { path: bundlePath, hash: sha256(fs.readFileSync(bundlePath)) };
}

/**
 * The environment of a command run on the operator's machine: a child process does not inherit
 * the aws provider's config, so its region and profile are passed explicitly.
 */
export function operatorEnvironment(region: pulumi.Input<string>, awsProfile?: string) {
    return pulumi.output(region).apply((r) => ({
        AWS_REGION: r,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...(awsProfile !== undefined ? { AWS_PROFILE: awsProfile } : {}),
    }));
}
