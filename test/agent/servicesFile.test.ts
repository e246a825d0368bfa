import * as assert from "assert";

import { parseServicesFile, ServicesFileError } from "../../verify/host/agent/servicesFile";
import { sessionName } from "../../verify/host/agent/rules";

const tokenA = "a".repeat(32);
const tokenB = "b".repeat(32);
const files: Record<string, string> = {
    "/run/a": `${tokenA}\n`,
    "/run/b": tokenB,
    "/run/short": "abc",
};
const read = (file: string) => {
    if (!(file in files)) throw Object.assign(new Error("no"), { code: "ENOENT" });
    return files[file];
};
const service = (over: Record<string, unknown> = {}) => ({
    name: "service-a",
    roleArn: "arn:aws:iam::123456789012:role/service-a",
    tokenFile: "/run/a",
    ...over,
});
const file = (over: Record<string, unknown> = {}) =>
    JSON.stringify({ region: "us-east-1", services: [service()], ...over });

function rejects(text: string, key: string): void {
    assert.throws(
        () => parseServicesFile(text, read),
        (e: unknown) =>
            e instanceof ServicesFileError && e.key === key && e.message.startsWith(`${key}: `),
    );
}

describe("agent services file", () => {
    it("accepts a good file and reads each token, trailing newline removed", () => {
        const config = parseServicesFile(
            file({
                services: [
                    service({ externalId: "ext-1" }),
                    service({ name: "service-b", tokenFile: "/run/b" }),
                ],
            }),
            read,
        );
        assert.deepStrictEqual(config, {
            region: "us-east-1",
            services: [
                { ...service(), externalId: "ext-1", token: tokenA },
                {
                    ...service({ name: "service-b", tokenFile: "/run/b" }),
                    externalId: undefined,
                    token: tokenB,
                },
            ],
        });
    });

    it("names the key of each bad value", () => {
        rejects("{", "(file)");
        rejects("[]", "(file)");
        rejects(file({ region: undefined }), "region");
        rejects(file({ region: "moon-1" }), "region");
        rejects(file({ extra: 1 }), "extra");
        rejects(JSON.stringify({ region: "us-east-1" }), "services");
        rejects(file({ services: {} }), "services");
        rejects(file({ services: ["x"] }), "services[0]");
        rejects(file({ services: [service({ name: "Bad_Name" })] }), "services[0].name");
        rejects(file({ services: [service({ name: undefined })] }), "services[0].name");
        rejects(
            file({
                services: [service(), service({ roleArn: "arn:aws:iam::1:role/x", name: "b" })],
            }),
            "services[1].roleArn",
        );
        rejects(
            file({ services: [service({ roleArn: "arn:aws:iam::123456789012:user/x" })] }),
            "services[0].roleArn",
        );
        rejects(file({ services: [service({ externalId: "x" })] }), "services[0].externalId");
        rejects(file({ services: [service({ externalId: 7 })] }), "services[0].externalId");
        rejects(file({ services: [service({ tokenFile: "run/a" })] }), "services[0].tokenFile");
        rejects(
            file({ services: [service({ tokenFile: "/run/../run/a" })] }),
            "services[0].tokenFile",
        );
        rejects(
            file({ services: [service({ tokenFile: "/run/missing" })] }),
            "services[0].tokenFile",
        );
        rejects(
            file({ services: [service({ tokenFile: "/run/short" })] }),
            "services[0].tokenFile",
        );
        rejects(file({ services: [service({ role: "x" })] }), "services[0].role");
    });

    it("refuses a duplicate name and a token shared by two services", () => {
        rejects(
            file({ services: [service(), service({ tokenFile: "/run/b" })] }),
            "services[1].name",
        );
        rejects(
            file({ services: [service(), service({ name: "service-b" })] }),
            "services[1].tokenFile",
        );
    });

    it("says why a token file cannot be read, and never its content", () => {
        try {
            parseServicesFile(file({ services: [service({ tokenFile: "/run/short" })] }), read);
            assert.fail("accepted");
        } catch (error) {
            assert.ok(!(error as Error).message.includes("abc"));
        }
        assert.throws(
            () =>
                parseServicesFile(
                    file({ services: [service({ tokenFile: "/run/missing" })] }),
                    read,
                ),
            /ENOENT/,
        );
    });
});

describe("agent session name", () => {
    it("says host and service, within STS's 64 characters and alphabet", () => {
        assert.strictEqual(
            sessionName("ip-10-0-0-1", "service-a"),
            "rolepair-ip-10-0-0-1-service-a",
        );
        const long = sessionName("h".repeat(80) + " x", "s".repeat(32));
        assert.strictEqual(long.length, 64);
        assert.ok(long.endsWith(`-${"s".repeat(32)}`));
        assert.match(sessionName("host with spaces/é", "a"), /^[\w+=,.@-]+$/);
    });
});
