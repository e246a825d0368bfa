// The proof's SDK clients (verify/host/proof/clients.ts): a bounded backoff between retries, four attempts
// in all, the endpoint override (path-style for S3), and the shared request pool bounding what is
// in flight on the wire. A small HTTP server on loopback answers as STS and S3 would (a stand-in
// for AWS at the HTTP level: these are properties of the client, not of any service).
import * as assert from "assert";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import * as http from "http";

import {
    backoffMs,
    closeTransport,
    createTransport,
    maxAttempts,
    s3Client,
    stsClient,
} from "../../../verify/host/proof/clients";
import { within } from "../../support/bounded";

const credentials = { accessKeyId: "AKIAFAKE00000000", secretAccessKey: "fake-secret" };

const identityXml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDAFAKE</UserId>
<Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

const listXml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
<KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

/** A loopback server; `answer` decides each request's status and body. */
async function server(answer: (req: http.IncomingMessage) => Promise<[number, string]>) {
    const seen: { method?: string; url?: string; at: number }[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const s = http.createServer((req, res) => {
        seen.push({ method: req.method, url: req.url, at: Date.now() });
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        req.resume();
        void answer(req).then(([status, body]) => {
            inFlight--;
            res.writeHead(status, { "content-type": "text/xml" }).end(body);
        });
    });
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(s.address() as { port: number }).port}`,
        seen,
        mostInFlight: () => mostInFlight,
        // Requests still held open (a test that failed mid-way) must not keep the server alive.
        stop: () =>
            new Promise<void>((resolve) => {
                s.close(() => resolve());
                s.closeAllConnections();
            }),
    };
}

describe("the proof's SDK clients", function () {
    // Loopback only: a pool or retry that hangs fails here in seconds, with the server stopped.
    this.timeout(15_000);
    it("back off 75, 150, 300 ms before retries 1, 2, 3, each jittered down to half", () => {
        assert.deepStrictEqual(
            [1, 2, 3].map((n) => backoffMs(n, () => 0)),
            [38, 75, 150],
        );
        assert.deepStrictEqual(
            [1, 2, 3].map((n) => backoffMs(n, () => 0.5)),
            [56, 113, 225],
        );
        assert.deepStrictEqual(
            [1, 2, 3].map((n) => backoffMs(n, () => 0.999_999)),
            [75, 150, 300],
        );
        for (let i = 0; i < 100; i++) {
            const delay = backoffMs(3);
            assert.ok(delay >= 150 && delay <= 300, String(delay));
        }
    });

    it("try a failing request four times in all at the endpoint given, waiting between tries", async () => {
        const aws = await server(async () => [
            503,
            "<Error><Code>ServiceUnavailable</Code></Error>",
        ]);
        const client = stsClient({ region: "eu-west-3", endpoint: aws.endpoint }, credentials);
        try {
            // Four tries wait under a second; a retry that never gives up fails here instead.
            await assert.rejects(
                within(10_000, client.send(new GetCallerIdentityCommand({})), "the retries"),
                (error: Error) => !/not done within/.test(error.message),
            );
            assert.strictEqual(maxAttempts, 4);
            assert.strictEqual(aws.seen.length, maxAttempts);
            assert.ok(aws.seen.every((r) => r.method === "POST" && r.url === "/"));
            // At least the jittered-down backoff between tries (a lower bound holds on any machine).
            const gaps = aws.seen.slice(1).map((r, i) => r.at - aws.seen[i].at);
            [38, 75, 150].forEach((least, i) => assert.ok(gaps[i] >= least - 2, `${gaps}`));
        } finally {
            client.destroy();
            await aws.stop();
        }
    });

    it("address S3 buckets by path at an endpoint override", async () => {
        const aws = await server(async () => [200, listXml]);
        const client = s3Client({ region: "eu-west-3", endpoint: aws.endpoint }, credentials);
        try {
            await client.send(new ListObjectsV2Command({ Bucket: "b" }));
            assert.match(String(aws.seen[0].url), /^\/b\/\?list-type=2/);
        } finally {
            client.destroy();
            await aws.stop();
        }
    });

    it("share one request pool: no more requests on the wire than its slots, whatever the agents allow", async () => {
        const release: (() => void)[] = [];
        const aws = await server(
            () => new Promise((resolve) => release.push(() => resolve([200, identityXml]))),
        );
        // Agents without a socket limit: the pool alone must bound what is on the wire (as for
        // the clients the SDK builds itself for a profile, which have the pool as a plugin).
        const transport = { ...createTransport(2), httpAgent: new http.Agent({ keepAlive: true }) };
        const target = { region: "eu-west-3", endpoint: aws.endpoint, transport };
        const clients = [stsClient(target, credentials), stsClient(target, credentials)];
        try {
            const sends = Array.from({ length: 6 }, (_, i) =>
                clients[i % 2].send(new GetCallerIdentityCommand({})),
            );
            // If the test fails first, the sends fail when the clients close: not unhandled.
            sends.forEach((send) => send.catch(() => undefined));
            // A pool that never releases a slot leaves requests off the wire: fail within 5 s.
            const deadline = Date.now() + 5_000;
            while (aws.seen.length < 6) {
                if (Date.now() > deadline)
                    assert.fail(`only ${aws.seen.length} of 6 requests reached the wire in 5 s`);
                await new Promise((resolve) => setTimeout(resolve, 20));
                release.splice(0).forEach((r) => r());
            }
            release.splice(0).forEach((r) => r());
            const answers = await within(5_000, Promise.all(sends), "the pooled requests");
            assert.ok(answers.every((a) => a.Account === "123456789012"));
            assert.strictEqual(aws.mostInFlight(), 2);
        } finally {
            clients.forEach((c) => c.destroy());
            closeTransport(transport);
            await aws.stop();
        }
    });
});
