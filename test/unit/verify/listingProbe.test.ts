// The proof's denied listings without S3Client's middleware stack (verify/host/proof/listingProbe.ts):
// for each scripted answer of S3 (test/support/scriptedS3.ts), the probe must come to what
// S3Client itself comes to (the same answer, or an error of the same name and HTTP status, after
// the same number of attempts), and its requests must be correctly signed ListObjectsV2 requests.
import * as assert from "assert";

import { closeTransport, createTransport, s3Client } from "../../../verify/host/proof/clients";
import { ListingProbe } from "../../../verify/host/proof/listingProbe";
import { ScriptedAnswer, s3Xml, startScriptedS3 } from "../../support/scriptedS3";

const region = "eu-west-1";
const credentials = {
    accessKeyId: "ASIAPROBE0000000",
    secretAccessKey: "probe-secret-not-a-secret",
    sessionToken: "probe-session-token",
};
const bucket = "service-b-bucket";

const denied: ScriptedAnswer = { status: 403, body: s3Xml.error("AccessDenied", "Access Denied") };

type ScriptedS3 = Awaited<ReturnType<typeof startScriptedS3>>;

/**
 * Runs `use` with a probe on verify's S3 client against a scripted S3 that checks signatures with
 * `secret` (the session's by default); stops both after.
 */
async function withProbe<T>(
    script: ScriptedAnswer[],
    use: (probe: ListingProbe, s3: ScriptedS3) => Promise<T>,
    secret = credentials.secretAccessKey,
): Promise<T> {
    const s3 = await startScriptedS3(script, { secretAccessKey: secret, region });
    const transport = createTransport(4);
    try {
        const client = s3Client({ region, endpoint: s3.endpoint, transport }, credentials);
        return await use(new ListingProbe(client, transport.pool), s3);
    } finally {
        closeTransport(transport);
        await s3.stop();
    }
}

const listBy = (probe: ListingProbe, route: "probe" | "sdk") =>
    route === "probe" ? probe.list(bucket) : probe.listWithSdk(bucket);

/** What one route came to: its answer, or the thrown error's name and status, and the requests S3 saw. */
function outcome(script: ScriptedAnswer[], route: "probe" | "sdk") {
    return withProbe(script, async (probe, s3) => {
        const result = await listBy(probe, route).then(
            (answer) => ({ answer }),
            (error: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
                error: error.name,
                status: error.$metadata?.httpStatusCode,
            }),
        );
        return { result, seen: s3.seen };
    });
}

const cases: [string, ScriptedAnswer[]][] = [
    ["S3's AccessDenied", [denied]],
    ["a page (a leak)", [{ status: 200, body: s3Xml.listing }]],
    ["NoSuchBucket", [{ status: 404, body: s3Xml.error("NoSuchBucket") }]],
    ["a 404 without a body", [{ status: 404, body: "" }]],
    ["a proxy's 403 page", [{ status: 403, body: "<html><body>Forbidden by proxy</body></html>" }]],
    [
        "a redirect to the bucket's region",
        [{ status: 301, body: s3Xml.error("PermanentRedirect") }],
    ],
    [
        "SlowDown twice, then AccessDenied",
        [
            { status: 503, body: s3Xml.error("SlowDown") },
            { status: 503, body: s3Xml.error("SlowDown") },
            denied,
        ],
    ],
    ["InternalError on every attempt", [{ status: 500, body: s3Xml.error("InternalError") }]],
    ["a dropped connection, then AccessDenied", [{ reset: true }, denied]],
    [
        "S3's 200 with an error document (S3Client takes it as a 503)",
        [{ status: 200, body: s3Xml.error("InternalError") }],
    ],
    [
        "a skewed clock, then AccessDenied",
        [
            {
                status: 403,
                body: s3Xml.error("RequestTimeTooSkewed"),
                headers: { date: new Date(Date.now() + 3_600_000).toUTCString() },
            },
            denied,
        ],
    ],
];

describe("the listing probe (scripted S3 at the wire)", () => {
    for (const [what, script] of cases) {
        it(`comes to what S3Client comes to: ${what}`, async () => {
            const sdk = await outcome(script, "sdk");
            const probe = await outcome(script, "probe");
            assert.deepStrictEqual(probe.result, sdk.result);
            assert.strictEqual(probe.seen.length, sdk.seen.length, "attempts");
            // Each route has its own server, so the host's port differs; the rest must not.
            const target = ({ method, path, query, contentSha256 }: (typeof sdk.seen)[number]) =>
                `${method} ${path}?${new URLSearchParams([...query].sort()).toString()} ${contentSha256}`;
            assert.deepStrictEqual(
                probe.seen.map(target),
                sdk.seen.map(target),
                "the same request",
            );
        });
    }

    it("answers the expected outcomes (not just the SDK's, whatever it is)", async () => {
        assert.deepStrictEqual((await outcome([denied], "probe")).result, {
            answer: "AccessDenied",
        });
        assert.deepStrictEqual(
            (await outcome([{ status: 200, body: s3Xml.listing }], "probe")).result,
            {
                answer: "listed",
            },
        );
        const slow = await outcome(
            [{ status: 503, body: s3Xml.error("SlowDown") }, denied],
            "probe",
        );
        assert.deepStrictEqual(slow.result, { answer: "AccessDenied" });
        assert.strictEqual(slow.seen.length, 2);
        const failing = await outcome(
            [{ status: 500, body: s3Xml.error("InternalError") }],
            "probe",
        );
        assert.deepStrictEqual(failing.result, { error: "InternalError", status: 500 });
        assert.strictEqual(failing.seen.length, 4, "the first try and three retries");
    });

    it("sends a ListObjectsV2 of one key, path-style, signed with the session's credentials", async () => {
        const { seen } = await outcome([denied], "probe");
        const [request] = seen;
        assert.strictEqual(request.method, "GET");
        assert.strictEqual(request.path, `/${bucket}/`);
        assert.match(request.host, /^127\.0\.0\.1:\d+$/, "the endpoint override's host");
        assert.deepStrictEqual(Object.fromEntries(request.query), {
            "list-type": "2",
            "max-keys": "1",
        });
        assert.ok(request.signatureValid, "the signature S3 would compute");
        assert.strictEqual(seen.length, 1, "one request: the probe did not fall back to S3Client");
        // The SDK's user agent, for a policy that tests aws:UserAgent (not its per-request feature codes).
        const sdkAgent = (await outcome([denied], "sdk")).seen[0].userAgent;
        assert.deepStrictEqual(
            request.userAgent.split(" "),
            sdkAgent.split(" ").filter((part) => !part.startsWith("m/")),
        );
        for (const header of ["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"])
            assert.ok(request.signedHeaders.includes(header), `${header} is signed`);
    });

    it("S3 refuses a request signed with another secret, and so does the probe", async () => {
        await withProbe(
            [denied],
            async (probe, s3) => {
                await assert.rejects(probe.list(bucket), { name: "SignatureDoesNotMatch" });
                assert.strictEqual(s3.seen[0].signatureValid, false);
            },
            "another-secret",
        );
    });

    it("after the retries, the error counts the attempts and the time waited, as the SDK's does", async () => {
        const failing: ScriptedAnswer[] = [{ status: 500, body: s3Xml.error("InternalError") }];
        const metadataOf = (route: "probe" | "sdk") =>
            withProbe(failing, (probe) =>
                listBy(probe, route).then(
                    () => assert.fail("expected InternalError"),
                    (error: { $metadata: { attempts: number; totalRetryDelay: number } }) =>
                        error.$metadata,
                ),
            );
        const [probe, sdk] = [await metadataOf("probe"), await metadataOf("sdk")];
        assert.strictEqual(probe.attempts, 4);
        assert.strictEqual(probe.attempts, sdk.attempts);
        assert.ok(
            probe.totalRetryDelay > 0 && sdk.totalRetryDelay > 0,
            JSON.stringify({ probe, sdk }),
        );
    });

    it("a thrown error carries S3's message, request id and attempts, as the SDK's does", async () => {
        const missing = s3Xml.error("NoSuchBucket", "The specified bucket does not exist");
        await withProbe([{ status: 404, body: missing }], (probe) =>
            assert.rejects(probe.list(bucket), {
                name: "NoSuchBucket",
                message: "The specified bucket does not exist",
                $metadata: {
                    httpStatusCode: 404,
                    requestId: "req-1",
                    extendedRequestId: undefined,
                    attempts: 1,
                    totalRetryDelay: 0,
                },
            }),
        );
    });
});
