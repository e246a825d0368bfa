// The floor of one request: one S3 client built by verify's client factory (same settings, pool
// and keep-alive agents) sends denied ListObjectsV2 requests, `inFlight` at a time, and prints the
// CPU time its process spent per request. Nothing of the proof runs. Route "sdk" sends them through
// S3Client (the least any proof made of SDK requests pays); route "probe" through verify's listing
// probe (verify/host/proof/listingProbe.ts), as the proof's denied listings go. Bundled like verify
// (bench/run.ts builds it).
import { closeTransport, createTransport, s3Client } from "../verify/host/proof/clients";
import { ListingProbe } from "../verify/host/proof/listingProbe";

async function main(): Promise<void> {
    const [endpoint, accessKeyId, bucket, requests, inFlight, route] = process.argv.slice(2);
    const transport = createTransport(Number(inFlight));
    const s3 = s3Client(
        { region: process.env.AWS_REGION ?? "us-east-1", endpoint, transport },
        { accessKeyId, secretAccessKey: "bench-not-a-secret", sessionToken: "bench-token" },
    );
    const probe = new ListingProbe(s3, transport.pool);
    const list = route === "probe" ? () => probe.list(bucket) : () => probe.listWithSdk(bucket);
    const send = () =>
        list().then(
            (answer) => answer,
            (error: Error) => error.name,
        );
    // Warm-up: the first requests load code paths and open the sockets.
    await Promise.all(Array.from({ length: Number(inFlight) }, send));
    let left = Number(requests);
    const answers = new Map<string, number>();
    const before = process.cpuUsage();
    await Promise.all(
        Array.from({ length: Number(inFlight) }, async () => {
            while (left-- > 0) {
                const answer = await send();
                answers.set(answer, (answers.get(answer) ?? 0) + 1);
            }
        }),
    );
    const used = process.cpuUsage(before);
    console.log(
        JSON.stringify({
            cpuMsPerRequest: (used.user + used.system) / 1000 / Number(requests),
            answers: Object.fromEntries(answers),
        }),
    );
    closeTransport(transport);
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
