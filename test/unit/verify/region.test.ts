// The instance's region from IMDSv2 (contract/region.ts), against the IMDSv2 test double
// (lab/imds.ts) on loopback: a token first, then the region; nothing off EC2.
import * as assert from "assert";
import * as http from "http";

import { instanceRegion } from "../../../contract/region";
import { Imds, startImds } from "../../../lab/imds";

const credentials = { accessKeyId: "AKIAFAKE", secretAccessKey: "s", sessionToken: "t" };

describe("verify region from IMDSv2", () => {
    const servers: Imds[] = [];
    after(() => Promise.all(servers.map((s) => s.stop())));

    async function imds(region?: string): Promise<Imds> {
        const server = await startImds("host-role", credentials, region);
        servers.push(server);
        return server;
    }

    it("asks for a token, then the region, with the token", async () => {
        const server = await imds("eu-north-1");
        assert.strictEqual(
            await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: server.endpoint }),
            "eu-north-1",
        );
        assert.deepStrictEqual([server.regionRequests, server.v1Refused], [1, 0]);
    });

    it("answers nothing when the service has no region, gives a malformed one, or is disabled", async () => {
        const none = await imds();
        assert.strictEqual(
            await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: none.endpoint }),
            undefined,
        );
        const bad = await imds("Moon Base");
        assert.strictEqual(
            await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: bad.endpoint }),
            undefined,
        );
        const good = await imds("eu-north-1");
        for (const disabled of ["true", "TRUE"]) {
            assert.strictEqual(
                await instanceRegion({
                    AWS_EC2_METADATA_SERVICE_ENDPOINT: good.endpoint,
                    AWS_EC2_METADATA_DISABLED: disabled,
                }),
                undefined,
            );
        }
        assert.strictEqual(good.regionRequests, 0);
        assert.strictEqual(
            await instanceRegion({
                AWS_EC2_METADATA_SERVICE_ENDPOINT: good.endpoint,
                AWS_EC2_METADATA_DISABLED: "false",
            }),
            "eu-north-1",
        );
    });

    it("answers nothing for a bad endpoint, a refused token, or a service that does not answer in time", async () => {
        assert.strictEqual(
            await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "not a url" }),
            undefined,
        );
        assert.strictEqual(
            await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9" }),
            undefined,
        );
        const requests: string[] = [];
        const silent = http.createServer((req, res) => {
            requests.push(
                `${req.method} ${req.url} ${req.headers["x-aws-ec2-metadata-token-ttl-seconds"]}`,
            );
            if (req.method === "PUT") setTimeout(() => res.writeHead(200).end("late"), 2_000);
            else res.writeHead(403).end();
        });
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
        try {
            assert.strictEqual(
                await instanceRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }, 100),
                undefined,
            );
            assert.deepStrictEqual(requests, ["PUT /latest/api/token 60"]);
        } finally {
            silent.closeAllConnections();
            await new Promise<void>((resolve) => silent.close(() => resolve()));
        }
    });
});
