// What the suites that run the verify bundle as a host process against moto share: one moto for
// the suite, an admin S3 client to look into buckets behind the proof's back, an IMDSv2 double per
// simulated host, and the secrets the suite's scenarios made, which no run may print. Kept in one
// place so every such suite stops the same things after it and checks for leaks the same way.
import * as assert from "assert";
import type { S3Client } from "@aws-sdk/client-s3";

import type { ProofReport } from "../contract/report";
import { ImdsDoubles } from "./imds";
import { adminS3Client, type Moto, region, startMoto, type StaticCredentials } from "./moto";
import {
    assertNoSecretIn,
    capturedOutputs,
    hostEnv,
    type ProcessResult,
    removeHostHomes,
    runVerify,
} from "./verifyProcess";

/** A host the proof runs on: the role its IMDSv2 double serves, and the secrets not to print. */
export interface HostIdentity {
    hostRoleName: string;
    hostCredentials: StaticCredentials;
    secrets: string[];
}

export interface HostRunOptions {
    /** Contents of the host's AWS config file; default: none. */
    awsConfig?: string;
    /** Written to verify's standard input (for `--targets -`). */
    stdin?: string;
    timeoutMs?: number;
    /** Parse stdout as the JSON report (when there is any). */
    json: boolean;
}

export class EmulatedHosts {
    /** Set by the suite's `before`. */
    moto!: Moto;
    /** Moto's administrator, for what the proof's roles must not be needed for. */
    adminS3!: S3Client;
    readonly imdsDoubles = new ImdsDoubles();
    private readonly secrets: string[] = [];

    /** Registers the suite's hooks: moto and the admin client before it, all stopped after it. */
    static forSuite(): EmulatedHosts {
        const hosts = new EmulatedHosts();
        before(async () => {
            hosts.moto = await startMoto();
            hosts.adminS3 = adminS3Client(hosts.moto);
        });
        after(async () => {
            hosts.adminS3?.destroy();
            await hosts.imdsDoubles.stopAll();
            await hosts.moto?.stop();
            removeHostHomes();
        });
        return hosts;
    }

    /** Keeps a scenario's secrets for the leak check, and returns it. */
    remember<S extends Pick<HostIdentity, "secrets">>(scenario: S): S {
        this.secrets.push(...scenario.secrets);
        return scenario;
    }

    /**
     * Runs verify on a host of `host`'s role: its own IMDSv2 double, AWS at moto. Fails the test if
     * verify asked IMDS without a token (IMDSv1), which EC2 hosts with IMDSv2 required refuse.
     */
    async runVerify(
        host: HostIdentity,
        args: string[],
        options: HostRunOptions,
    ): Promise<ProcessResult & { report?: ProofReport }> {
        this.remember(host);
        const imds = await this.imdsDoubles.start(host);
        const env = hostEnv({
            imdsEndpoint: imds.endpoint,
            awsEndpoint: this.moto.endpoint,
            region,
            awsConfig: options.awsConfig,
        });
        const result = await runVerify(args, env, options.stdin, options.timeoutMs);
        assert.strictEqual(imds.v1Refused, 0, "verify must use IMDSv2 tokens only");
        return {
            ...result,
            report: options.json && result.stdout ? JSON.parse(result.stdout) : undefined,
        };
    }

    /** The leak check over every verify run of this test process so far. */
    assertNoSecretPrinted(): void {
        assertNoSecretIn(capturedOutputs, this.secrets);
    }
}
