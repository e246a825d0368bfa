// What bounds the latency model once requests run concurrently: the CPU each SDK request costs the
// process that sends it. Measured here with nothing of the proof around it (sdkFloorClient.ts, one
// S3 client with verify's settings) against the AWS double with no added latency, so the figure
// is CPU only. Compared with verify's own CPU per request in the model, it tells how much of
// verify's time is the SDK's and how much is the proof's.
import * as path from "path";

import { runProcess } from "../lab/verifyProcess";
import { startAwsDouble } from "./awsDouble";
import { modelPlan } from "./modelPlan";
import { median } from "./stats";

export interface SdkFloor {
    cpuMsPerRequest: number;
    requests: number;
    inFlight: number;
}

/** Median over `runs` processes of the SDK's CPU per request (denied ListObjectsV2, as most rows are). */
export async function measureSdkFloor(
    bundle: string,
    runs: number,
    inFlight: number,
    route: "sdk" | "probe" = "sdk",
): Promise<SdkFloor> {
    const requests = 1000;
    const aws = await startAwsDouble({ latencyMs: 0, hostRoleName: "bench-floor-host" });
    const samples: number[] = [];
    try {
        for (let i = 0; i < runs; i++) {
            const result = await runProcess(
                process.execPath,
                [
                    bundle,
                    aws.endpoint,
                    aws.hostAccessKeyId,
                    "bench-floor-bucket",
                    String(requests),
                    String(inFlight),
                    route,
                ],
                { PATH: process.env.PATH, AWS_REGION: "us-east-1", NODE_NO_WARNINGS: "1" },
                120_000,
            );
            const printed = JSON.parse(result.stdout) as {
                cpuMsPerRequest: number;
                answers: Record<string, number>;
            };
            // The host's credentials are denied every bucket: anything else means the floor measured the wrong path.
            if (result.code !== 0 || printed.answers.AccessDenied !== requests)
                throw new Error(`the SDK floor client failed: ${result.stderr}${result.stdout}`);
            samples.push(printed.cpuMsPerRequest);
        }
    } finally {
        await aws.stop();
    }
    return { cpuMsPerRequest: median(samples), requests, inFlight };
}

export const sdkFloorEntry = path.join(__dirname, "sdkFloorClient.ts");

export interface ServiceFloor {
    cpuMsPerService: number;
    services: number;
}

/**
 * Median over `runs` processes of the CPU one service's SDK work costs (serviceFloorClient.ts:
 * AssumeRole, identity, put, list, get, delete on its own clients), `services` at once.
 */
export async function measureServiceFloor(
    bundle: string,
    runs: number,
    services: number,
): Promise<ServiceFloor> {
    const aws = await startAwsDouble({ latencyMs: 0, hostRoleName: "bench-floor-host" });
    aws.setRoles(modelPlan(services));
    const samples: number[] = [];
    try {
        for (let i = 0; i < runs; i++) {
            const result = await runProcess(
                process.execPath,
                [bundle, aws.endpoint, aws.hostAccessKeyId, String(services), "3"],
                { PATH: process.env.PATH, AWS_REGION: "us-east-1", NODE_NO_WARNINGS: "1" },
                120_000,
            );
            const printed = JSON.parse(result.stdout) as {
                cpuMsPerService: number;
                failures: string[];
            };
            if (result.code !== 0 || printed.failures.length > 0)
                throw new Error(
                    `the service floor client failed: ${result.stderr}${result.stdout}`,
                );
            samples.push(printed.cpuMsPerService);
        }
    } finally {
        await aws.stop();
    }
    return { cpuMsPerService: median(samples), services };
}

export const serviceFloorEntry = path.join(__dirname, "serviceFloorClient.ts");
