// Pulumi.yaml as the engine applies it. The engine refuses to run a stack while a declared key
// has neither a value nor a default, refuses a secret key with a plaintext default, and refuses
// project keys in a stack file that the project does not declare. Mocks never see any of that,
// so these tests apply the same rules to the files, then run the program on what results.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

import { readStackConfig } from "../../components/stackConfig";
import { repoRoot, runProgram, stackFileConfig } from "../../lab/program";
import { project, runMocked } from "../../lab/pulumiMocks";

interface Declared {
    type: string;
    description?: string;
    default?: unknown;
    secret?: boolean;
    items?: { type: string };
}
const declared = (
    parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, Declared>;
    }
).config;

/** The config a program receives when a stack file sets nothing but what it sets: defaults first. */
function engineConfig(stack: string): Record<string, string> {
    const defaults = Object.fromEntries(
        Object.entries(declared).map(([key, d]) => [
            `${project}:${key}`,
            typeof d.default === "string" ? d.default : JSON.stringify(d.default),
        ]),
    );
    return { ...defaults, ...stackFileConfig(stack) };
}

describe("Pulumi.yaml as the engine applies it", () => {
    it("declares every key with a type, a description and a default (no key the engine would demand)", () => {
        for (const [key, d] of Object.entries(declared)) {
            assert.ok(
                ["string", "integer", "boolean", "array"].includes(d.type),
                `${key}: type ${d.type}`,
            );
            assert.ok(d.description && d.description.length > 10, `${key}: description`);
            assert.ok(
                "default" in d,
                `${key}: no default, so "pulumi up" would stop until it is set`,
            );
            assert.ok(
                !(d.secret && "default" in d),
                `${key}: a secret key may not have a plaintext default`,
            );
            if (d.type === "array")
                assert.ok(["string", "integer"].includes(String(d.items?.type)), `${key}: items`);
        }
    });

    it("declares exactly the keys the program reads", async () => {
        const read = new Set<string>();
        await runMocked(
            "dev",
            {
                sshPrivateKey: "k",
                sshPublicKey: "ssh-ed25519 AAAA k",
                sshIngressCidr: "203.0.113.7/32",
            },
            async () => {
                const config = new pulumi.Config(project);
                const recording = new Proxy(config, {
                    get(target, prop, receiver) {
                        const value = Reflect.get(target, prop, receiver);
                        if (
                            typeof value !== "function" ||
                            typeof prop !== "string" ||
                            !prop.startsWith("get")
                        )
                            return value;
                        return (key: string, ...rest: unknown[]) => {
                            read.add(key);
                            return value.call(target, key, ...rest);
                        };
                    },
                });
                readStackConfig(recording);
                return {};
            },
            {},
            ["sshPrivateKey"],
        );
        assert.deepStrictEqual([...read].sort(), Object.keys(declared).sort());
    });

    /** Resources each stack file deploys with verification on. */
    const graphSize: Record<string, number> = {
        dev: 24,
        "root-trust": 24,
        services: 44,
        agent: 44,
    };

    it("covers every Pulumi.<stack>.yaml in the repository", () => {
        const files = fs
            .readdirSync(repoRoot)
            .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
            .map((f) => f.slice("Pulumi.".length, -".yaml".length));
        assert.deepStrictEqual(files.sort(), Object.keys(graphSize).sort());
    });
    for (const stack of Object.keys(graphSize)) {
        it(`Pulumi.${stack}.yaml sets only declared project keys`, () => {
            for (const key of Object.keys(stackFileConfig(stack))) {
                const [namespace, name] = key.split(":");
                if (namespace === project)
                    assert.ok(name in declared, `${key} is not declared in Pulumi.yaml`);
            }
        });

        it(`${stack} with the engine's defaults and the operator's CIDR deploys the whole graph`, async () => {
            const run = await runProgram(stack, {
                ...engineConfig(stack),
                [`${project}:sshIngressCidr`]: "203.0.113.7/32",
            });
            assert.strictEqual(run.resources.length, graphSize[stack]);
            assert.strictEqual(run.all("command:remote:Command").length, 3);
        });
    }

    it("with only the engine's defaults, the missing CIDR is named before anything is created", async () => {
        let error: Error | undefined;
        await runProgram("dev", engineConfig("dev")).catch((e: Error) => (error = e));
        assert.match(
            String(error?.message),
            /^Invalid sshIngressCidr: not set\. Accepted: an IPv4 CIDR such as 203\.0\.113\.7\/32, required when verify is true/,
        );
    });
});
