// The bench's lab on the moto emulator: the walkthrough's single target and fleets of N services
// on one host each, every host with its own IMDS double, and a counting proxy in front of moto.
import { S3Client } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { FaultProxy, startFaultProxy } from "../lab/faultProxy";
import { Imds, startImds } from "../lab/imds";
import { Moto, region, startMoto } from "../lab/moto";
import { createScenario } from "../lab/scenario";
import { hostEnv, removeHostHomes } from "../lab/verifyProcess";
import { createFleet } from "./fleet";
import { fleetSizes } from "./settings";

export interface BenchHost {
    imdsHost: string;
    env: NodeJS.ProcessEnv;
}

export interface MotoLab {
    moto: Moto;
    proxy: FaultProxy;
    adminS3: S3Client;
    /** The walkthrough's one service: its bucket and role, and verify's flags for it. */
    single: BenchHost & { bucket: string; roleArn: string; args: string[] };
    /** One host per fleet size, its plan as verify's stdin. */
    fleets: (BenchHost & { size: number; plan: string })[];
    workDir: string;
    stop(): Promise<void>;
}

export async function startMotoLab(): Promise<MotoLab> {
    const imdsDoubles: Imds[] = [];
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rolepair-bench-"));
    const moto = await startMoto();
    const proxy = await startFaultProxy(moto.endpoint);
    const stop = async () => {
        for (const imds of imdsDoubles) await imds.stop();
        await proxy.stop();
        await moto.stop();
        removeHostHomes();
        fs.rmSync(workDir, { recursive: true, force: true });
    };
    try {
        const hostOf = async (
            roleName: string,
            credentials: Parameters<typeof startImds>[1],
        ): Promise<BenchHost> => {
            const imds = await startImds(roleName, credentials);
            imdsDoubles.push(imds);
            return {
                imdsHost: new URL(imds.endpoint).host,
                env: {
                    ...hostEnv({ imdsEndpoint: imds.endpoint, awsEndpoint: moto.endpoint, region }),
                    AWS_DEFAULT_REGION: region,
                },
            };
        };
        const scenario = await createScenario(moto, "correct");
        const single = {
            ...(await hostOf(scenario.hostRoleName, scenario.hostCredentials)),
            bucket: scenario.bucket,
            roleArn: scenario.targetRoleArn,
            args: ["--bucket", scenario.bucket, "--role-arn", scenario.targetRoleArn],
        };
        const fleets: MotoLab["fleets"] = [];
        for (const size of fleetSizes) {
            const fleet = await createFleet(moto, size);
            const host = await hostOf(fleet.hostRoleName, fleet.hostCredentials);
            fleets.push({ size, plan: JSON.stringify(fleet.plan), ...host });
        }
        const adminS3 = new S3Client({
            endpoint: moto.endpoint,
            region,
            credentials: moto.admin,
            forcePathStyle: true,
        });
        return { moto, proxy, adminS3, single, fleets, workDir, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}
