// One service's SDK work in the proof, without its denied listings: AssumeRole through the host's
// client, then on the service's own new clients (as verify builds them) its caller identity and the
// put, list, get, delete round trip. `services` services at once through one request pool, as
// verify runs them; a first round loads the code paths, the CPU of the next `rounds` is printed per
// service. What it prints is what each added service costs a proof on top of its listings.
// Bundled like verify (bench/run.ts builds it).
import { randomBytes } from "crypto";

import { closeTransport, createTransport, s3Client, stsClient } from "../verify/host/proof/clients";
import {
    assumeRoleWithPropagationRetry,
    callerIdentity,
    deleteProbe,
    getReturnsProbe,
    listSeesProbe,
    putProbe,
} from "../verify/host/proof/steps";
import { modelPlan } from "./modelPlan";

async function main(): Promise<void> {
    const [endpoint, accessKeyId, servicesText, roundsText] = process.argv.slice(2);
    const services = modelPlan(Number(servicesText));
    const transport = createTransport(64);
    const aws = { region: process.env.AWS_REGION ?? "us-east-1", endpoint, transport };
    const host = stsClient(aws, {
        accessKeyId,
        secretAccessKey: "bench-not-a-secret",
        sessionToken: "bench-token",
    });
    const failures: string[] = [];
    const oneService = async (service: (typeof services)[number], round: number) => {
        const { credentials } = await assumeRoleWithPropagationRetry(
            host,
            { roleArn: service.roleArn, sessionName: `bench-${round}`, durationSeconds: 900 },
            { timeoutMs: 0 },
        );
        await callerIdentity(stsClient(aws, credentials));
        const s3 = s3Client(aws, credentials);
        const key = `rolepair-verify/bench-${randomBytes(4).toString("hex")}`;
        const body = `bench probe ${round}\n`;
        const steps = [await putProbe(s3, service.bucket, key, body)];
        steps.push(
            ...(await Promise.all([
                listSeesProbe(s3, service.bucket, key),
                getReturnsProbe(s3, service.bucket, key, body),
            ])),
        );
        steps.push(await deleteProbe(s3, service.bucket, key));
        for (const step of steps) if (!step.ok) failures.push(`${service.name}: ${step.observed}`);
    };
    const round = (n: number) => Promise.all(services.map((s) => oneService(s, n)));
    await round(0);
    const rounds = Number(roundsText);
    const before = process.cpuUsage();
    for (let n = 1; n <= rounds; n++) await round(n);
    const used = process.cpuUsage(before);
    console.log(
        JSON.stringify({
            cpuMsPerService: (used.user + used.system) / 1000 / (rounds * services.length),
            failures,
        }),
    );
    closeTransport(transport);
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
