// The library's credentials for applications (verify/host/proof/credentials.ts, assumeRoleCredentials):
// which AssumeRole it asks for, with whose credentials, in which region and at which endpoint, and
// that a client using it asks again before the credentials expire. STS is stubbed with
// aws-sdk-client-mock on the STS client the SDK's fromTemporaryCredentials builds itself (the
// reliability layer runs 10,000 calls against moto instead).
import type { AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import { S3Client } from "@aws-sdk/client-s3";
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import * as path from "path";

import { assumeRoleCredentials } from "../../../verify/host/proof/credentials";

// The STS client class of the credential-providers package in use (a nested copy of the SDK's).
const nestedStsPath = require.resolve("@aws-sdk/nested-clients/sts", {
    paths: [path.dirname(require.resolve("@aws-sdk/credential-providers"))],
});
type StsModule = typeof import("@aws-sdk/client-sts");

const roleArn = "arn:aws:iam::123456789012:role/app";
const master = { accessKeyId: "AKIAMASTERFAKE00", secretAccessKey: "master-secret" };

interface Call {
    input: AssumeRoleCommandInput;
    region: string;
    endpoint?: string;
    accessKeyId: string;
}

describe("assumeRoleCredentials", () => {
    let sts: ReturnType<typeof mockClient>;
    let calls: Call[];

    let nestedSts: StsModule;
    before(async () => {
        nestedSts = (await import(nestedStsPath)) as StsModule;
    });
    beforeEach(() => {
        calls = [];
        sts = mockClient(nestedSts.STSClient);
        sts.on(nestedSts.AssumeRoleCommand).callsFake(async (input, getClient) => {
            const config = getClient().config as unknown as {
                region: () => Promise<string>;
                endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number }>;
                credentials: () => Promise<{ accessKeyId: string }>;
            };
            const endpoint = config.endpoint ? await config.endpoint() : undefined;
            calls.push({
                input,
                region: await config.region(),
                ...(endpoint
                    ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` }
                    : {}),
                accessKeyId: (await config.credentials()).accessKeyId,
            });
            const n = calls.length;
            return {
                Credentials: {
                    AccessKeyId: `ASIAAPPFAKE${n}`,
                    SecretAccessKey: `app-secret-${n}`,
                    SessionToken: `token-${n}`,
                    Expiration: new Date(Date.now() + 3600_000),
                },
            };
        });
    });
    afterEach(() => sts.restore());

    it("assumes the role with the caller's settings, its credentials, region and endpoint", async () => {
        const provider = assumeRoleCredentials({
            roleArn,
            region: "eu-west-3",
            sessionName: "app-session",
            externalId: "ext-1",
            durationSeconds: 900,
            masterCredentials: master,
            endpoint: "http://127.0.0.1:5999",
        });
        const credentials = await provider();
        assert.strictEqual(credentials.accessKeyId, "ASIAAPPFAKE1");
        assert.deepStrictEqual(calls, [
            {
                input: {
                    RoleArn: roleArn,
                    RoleSessionName: "app-session",
                    ExternalId: "ext-1",
                    DurationSeconds: 900,
                },
                region: "eu-west-3",
                endpoint: "http://127.0.0.1:5999",
                accessKeyId: master.accessKeyId,
            },
        ]);
    });

    it("defaults to an hour, a session named after the time, no external id, STS's own endpoint", async () => {
        const before = Date.now();
        await assumeRoleCredentials({ roleArn, region: "ap-south-2", masterCredentials: master })();
        const after = Date.now();
        assert.strictEqual(calls.length, 1);
        const { input, region, endpoint } = calls[0];
        assert.deepStrictEqual(
            { ...input, RoleSessionName: undefined },
            {
                RoleArn: roleArn,
                RoleSessionName: undefined,
                ExternalId: undefined,
                DurationSeconds: 3600,
            },
        );
        const match = /^rolepair-app-(\d+)$/.exec(String(input.RoleSessionName));
        assert.ok(match, String(input.RoleSessionName));
        assert.ok(Number(match[1]) >= before && Number(match[1]) <= after, match[1]);
        assert.strictEqual(region, "ap-south-2");
        assert.strictEqual(endpoint, undefined, "an endpoint override");
    });

    it("uses the SDK's default chain when no credentials are given (here: the environment)", async () => {
        const saved = { ...process.env };
        Object.assign(process.env, {
            AWS_ACCESS_KEY_ID: "AKIAENVFAKE00000",
            AWS_SECRET_ACCESS_KEY: "env-secret",
        });
        delete process.env.AWS_PROFILE;
        try {
            await assumeRoleCredentials({ roleArn, region: "eu-west-3" })();
        } finally {
            process.env = saved;
        }
        assert.strictEqual(calls[0].accessKeyId, "AKIAENVFAKE00000");
    });

    it("in a client, is asked again only when the credentials are about to expire", async () => {
        // A fake clock: the SDK refreshes credentials that expire within 5 minutes of use.
        const realNow = Date.now;
        let now = realNow();
        Date.now = () => now;
        const client = new S3Client({
            region: "eu-west-3",
            credentials: assumeRoleCredentials({
                roleArn,
                region: "eu-west-3",
                masterCredentials: master,
            }),
        });
        const credentials = client.config.credentials as () => Promise<{ accessKeyId: string }>;
        try {
            assert.strictEqual((await credentials()).accessKeyId, "ASIAAPPFAKE1");
            now += 54 * 60_000;
            assert.strictEqual((await credentials()).accessKeyId, "ASIAAPPFAKE1");
            now += 2 * 60_000;
            assert.strictEqual((await credentials()).accessKeyId, "ASIAAPPFAKE2");
            assert.strictEqual(calls.length, 2);
        } finally {
            Date.now = realNow;
            client.destroy();
        }
    });
});
