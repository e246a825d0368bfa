// The credential agent in the components, under mocks: off by default and invisible then; on, the
// profile parameters carry who may use each token, the plan asks the proof to cover it, the SSM
// runner's sync installs it, each service gets its outputs; turning it on or adding a service
// never touches the instance; and nothing a token could be is in any resource's state (tokens
// are made on the host). Every refusal happens before any resource.
import * as assert from "assert";
import * as path from "path";

import { agentServiceOutput } from "../../components/agentOutputs";
import { AssumableRolePair, AssumableRolePairArgs } from "../../components/assumableRolePair";
import { SharedDevHost, SharedDevHostArgs } from "../../components/sharedDevHost";
import { parseServiceEntry } from "../../components/stackConfig";
import { profileSyncNow } from "../../contract/profileSync";
import { maxParameterCharsPerCommand } from "../../contract/ssmLimits";
import { operatorConfig, repoRoot, runProgram, stackFileConfig } from "../../lab/program";
import { accountId, promiseOf, runMocked, type MockedRun } from "../../lab/pulumiMocks";

const services = ["service-a", "service-b", "service-c"];
const instanceType = "aws:ec2/instance:Instance";
const parameterType = "aws:ssm/parameter:Parameter";
const remoteCommand = "command:remote:Command";
const runnerPath = path.join(repoRoot, "dist", "verify.js");

type Run = Awaited<ReturnType<typeof runProgram>>;

/** Every resource's inputs by type and name, as JSON: what a diff between two runs compares. */
function inputsByResource(run: MockedRun): Map<string, string> {
    return new Map(run.resources.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.inputs)]));
}

/** The resources whose inputs differ between two runs that registered the same resources. */
function changedResources(before: MockedRun, after: MockedRun): string[] {
    const a = inputsByResource(before);
    const b = inputsByResource(after);
    assert.deepStrictEqual([...b.keys()].sort(), [...a.keys()].sort());
    return [...a.keys()].filter((key) => a.get(key) !== b.get(key)).sort();
}

describe("credential agent in the components (mocks)", () => {
    // Both under the agent stack's name: the host's parameter path (in its user data) names the stack.
    let servicesRun: Run;
    let agentRun: Run;
    before(async () => {
        servicesRun = await runProgram("agent", {
            ...stackFileConfig("services"),
            ...operatorConfig,
        });
        agentRun = await runProgram("agent", { ...stackFileConfig("agent"), ...operatorConfig });
    });

    it("Pulumi.agent.yaml is Pulumi.services.yaml with credentialAgent true", () => {
        assert.deepStrictEqual(stackFileConfig("agent"), {
            ...stackFileConfig("services"),
            "rolepair:credentialAgent": "true",
        });
    });

    it("with the agent on, the instance's inputs and options are identical to without", () => {
        const host = (run: Run) => run.find(instanceType, "rolepair-host");
        assert.deepStrictEqual(host(agentRun).inputs, host(servicesRun).inputs);
        assert.deepStrictEqual(host(agentRun).options, host(servicesRun).options);
    });

    it("turning it on changes only the profile parameters and the commands on the host", () => {
        // The sync re-runs on the new profiles; the proof on the new plan.
        assert.deepStrictEqual(changedResources(servicesRun, agentRun), [
            ...services.map((s) => `${parameterType} rolepair-${s}-profile-parameter`),
            `${remoteCommand} rolepair-sync-profiles`,
            `${remoteCommand} rolepair-verify`,
        ]);
    });

    it("each profile parameter carries exactly its fields and agent {users}, and no token", () => {
        for (const service of services) {
            const value = agentRun.find(parameterType, `rolepair-${service}-profile-parameter`)
                .inputs.value as string;
            assert.deepStrictEqual(JSON.parse(value), {
                v: 1,
                roleArn: `arn:aws:iam::${accountId}:role/rolepair-${service}-target-role-7f3a9c1`,
                region: "us-east-1",
                agent: { users: ["ec2-user"] },
            });
        }
    });

    it("the plan asks the proof to cover the agent for every service, and changes nothing else", () => {
        const plan = (run: Run) =>
            JSON.parse(run.find(remoteCommand, "rolepair-verify").inputs.stdin) as Record<
                string,
                unknown
            >[];
        const without = plan(servicesRun);
        assert.deepStrictEqual(
            plan(agentRun),
            without.map((target) => ({ ...target, agent: true })),
        );
        assert.ok(without.every((target) => !("agent" in target)));
    });

    it("the stack exports each service's agent outputs, and none without the agent", async () => {
        const outputs = (run: Run) =>
            promiseOf(run.loaded.services) as Promise<Record<string, Record<string, unknown>>>;
        const on = await outputs(agentRun);
        for (const service of services) {
            assert.deepStrictEqual(on[service].agent, {
                ...agentServiceOutput(service, { users: ["ec2-user"] }),
            });
        }
        const off = await outputs(servicesRun);
        assert.ok(Object.values(off).every((s) => !("agent" in s)));
    });

    it("no resource's inputs or state hold more than the agent's paths and names", () => {
        // The only agent-related text Pulumi may hold: the token files' paths (in outputs) and the
        // users allowed them. A token (64 hex characters, made on the host) would be new text.
        for (const r of agentRun.resources) {
            const text = JSON.stringify([r.inputs, r.state]);
            assert.doesNotMatch(text, /AWS_CONTAINER_AUTHORIZATION_TOKEN\b|Authorization/, r.name);
            assert.doesNotMatch(text, /\/etc\/rolepair\/agent\/tokens\//, r.name);
        }
    });

    it("adding a service with the agent on does not touch the instance", async () => {
        const config = stackFileConfig("agent");
        const four = await runProgram("agent", {
            ...config,
            ...operatorConfig,
            "rolepair:services": JSON.stringify([...services, "service-d agentUsers=ec2-user,app"]),
        });
        const host = (run: Run) => run.find(instanceType, "rolepair-host").inputs;
        assert.deepStrictEqual(host(four), host(agentRun));
        const value = four.find(parameterType, "rolepair-service-d-profile-parameter").inputs.value;
        assert.deepStrictEqual(JSON.parse(value).agent, { users: ["ec2-user", "app"] });
    });

    it("over SSM the agent's program travels in parts: inline it exceeds one SendCommand, read from the delivered file the installer fits", () => {
        const path = "/rolepair/p/s/h/profiles";
        const inline = profileSyncNow(path, { credentialAgent: true });
        assert.ok(inline.length > maxParameterCharsPerCommand, `${inline.length}`);
        const staged = profileSyncNow(path, {
            credentialAgent: true,
            agentFiles: { programFile: '"$run/credential-agent.js"' },
        });
        assert.ok(staged.length < maxParameterCharsPerCommand / 2, `${staged.length}`);
        assert.match(staged, /^cat -- "\$run\/credential-agent\.js" >"\$agent_program"$/m);
        assert.doesNotMatch(staged, /ROLEPAIR_AGENT$/m);
    });

    it("over SSM the runner's sync is asked to install the agent; without it, not", async () => {
        const ssm = (agent: string) =>
            runProgram("services", {
                ...stackFileConfig("services"),
                "rolepair:verifyTransport": "ssm",
                "rolepair:credentialAgent": agent,
            });
        // One at a time: the mocks are global to the process.
        const on = await ssm("true");
        const off = await ssm("false");
        const create = (run: Run) =>
            run.find("command:local:Command", "rolepair-verify-ssm").inputs.create as string;
        assert.match(create(on), / --profiles-path \S+ --credential-agent$/);
        assert.doesNotMatch(create(off), /--credential-agent/);
        assert.deepStrictEqual(
            on.find(instanceType, "rolepair-host").inputs,
            off.find(instanceType, "rolepair-host").inputs,
        );
    });

    it("with verifyTransport ssm, the runner's command syncs the profiles and installs the agent", async () => {
        const run = await runMocked("test", {}, async () => {
            const shared = new SharedDevHost("dev", {
                verifyTransport: "ssm",
                // Only hashed here: any file of the build is stable enough.
                ssmRunnerPath: runnerPath,
                credentialAgent: true,
                services: { "service-a": {}, "service-b": { agentUsers: ["ec2-user", "app"] } },
            });
            return { verification: shared.verification };
        });
        const local = run.find("command:local:Command", "dev-verify-ssm");
        assert.strictEqual(
            local.inputs.create,
            `node ${runnerPath} --instance-id i-0123456789abcdef0 --region us-east-1 --propagation-timeout 120 --profiles-path /rolepair/rolepair/test/dev/profiles --credential-agent`,
        );
        const plan = JSON.parse(local.inputs.stdin) as { name: string; agent?: boolean }[];
        assert.deepStrictEqual(
            plan.map((t) => [t.name, t.agent]),
            [
                ["service-a", true],
                ["service-b", true],
            ],
        );
        assert.strictEqual(run.all("command:remote:Command").length, 0);
    });

    it("AssumableRolePair: the target's profile carries agent, its output is the agent's, the instance is the same", async () => {
        const pair = (args: Partial<AssumableRolePairArgs>) =>
            runMocked("test", {}, async () => {
                const made = new AssumableRolePair("dev", {
                    sshIngressCidr: "203.0.113.7/32",
                    ...args,
                });
                return { agent: made.agent };
            });
        const on = await pair({ credentialAgent: true, agentUsers: ["ec2-user", "svc_app"] });
        const off = await pair({});
        assert.deepStrictEqual(
            on.find(instanceType, "dev-host").inputs,
            off.find(instanceType, "dev-host").inputs,
        );
        const value = on.find(parameterType, "dev-target-profile-parameter").inputs.value;
        assert.deepStrictEqual(JSON.parse(value).agent, { users: ["ec2-user", "svc_app"] });
        assert.deepStrictEqual(
            await promiseOf(on.loaded.agent),
            agentServiceOutput("target", { users: ["ec2-user", "svc_app"] }),
        );
        assert.strictEqual(off.loaded.agent, undefined);
    });
});

describe("credential agent inputs are refused before any resource", () => {
    const base = { sshIngressCidr: "203.0.113.7/32" };
    const sharedCases: [string, SharedDevHostArgs, RegExp][] = [
        [
            "the agent without the proof",
            { credentialAgent: true, verify: false, services: { web: {} } },
            /^Invalid credentialAgent: true\. Accepted: false with verify false: the agent is installed on the host by the proof's sync step/,
        ],
        [
            "a credentialAgent that is not a boolean",
            { ...base, credentialAgent: "yes" as never, services: { web: {} } },
            /^Invalid credentialAgent: "yes"\. Accepted: true or false\.$/,
        ],
        [
            "agentUsers with the agent off",
            { ...base, services: { web: { agentUsers: ["ec2-user"] } } },
            /^Invalid services\.web\.agentUsers: \["ec2-user"\]\. Accepted: nothing with credentialAgent false/,
        ],
        [
            "a service name too long for its Unix group",
            { ...base, credentialAgent: true, services: { ["a".repeat(24)]: {} } },
            /^Invalid services\.a{24}: "a{24}"\. Accepted: 1 to 23 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen, and not agent \(with the credential agent on/,
        ],
        [
            "a service named agent (rolepair-agent is the agent's own group)",
            { ...base, credentialAgent: true, services: { agent: {} } },
            /^Invalid services\.agent: "agent"\. Accepted: .*, and not agent \(.*rolepair-agent is the agent's own\)/,
        ],
        [
            "a user name that is not a Unix one",
            { ...base, credentialAgent: true, services: { web: { agentUsers: ["Root!"] } } },
            /^Invalid services\.web\.agentUsers\[0\]: "Root!"\. Accepted: a Unix user name: 1 to 32 characters/,
        ],
        [
            "no users",
            { ...base, credentialAgent: true, services: { web: { agentUsers: [] } } },
            /^Invalid services\.web\.agentUsers: \[\]\. Accepted: a list of 1 to 16 Unix user names/,
        ],
        [
            "17 users",
            {
                ...base,
                credentialAgent: true,
                services: { web: { agentUsers: Array.from({ length: 17 }, (_, i) => `u${i}`) } },
            },
            /^Invalid services\.web\.agentUsers: \["u0",.*\]\. Accepted: a list of 1 to 16 Unix user names/,
        ],
        [
            "a user named twice",
            {
                ...base,
                credentialAgent: true,
                services: { web: { agentUsers: ["app", "ec2-user", "app"] } },
            },
            /^Invalid services\.web\.agentUsers\[2\]: "app"\. Accepted: .*: app is named twice\.$/,
        ],
    ];
    for (const [label, args, message] of sharedCases) {
        it(`SharedDevHost refuses ${label}`, async () => {
            let error: Error | undefined;
            const run = await runMocked("test", {}, async () => {
                try {
                    new SharedDevHost("dev", args);
                } catch (e) {
                    error = e as Error;
                }
            });
            assert.match(String(error?.message), message);
            assert.strictEqual(error?.name, "InputError");
            assert.deepStrictEqual(run.resources, []);
        });
    }

    const pairCases: [string, AssumableRolePairArgs, RegExp][] = [
        [
            "a profile name the agent's group cannot carry",
            { ...base, credentialAgent: true, awsProfileName: "Target" },
            /^Invalid awsProfileName: "Target"\. Accepted: 1 to 23 characters of lowercase letters/,
        ],
        [
            "agentUsers with the agent off",
            { ...base, agentUsers: ["ec2-user"] },
            /^Invalid agentUsers: \["ec2-user"\]\. Accepted: nothing with credentialAgent false/,
        ],
        [
            "the agent without the proof",
            { credentialAgent: true, verify: false },
            /^Invalid credentialAgent: true\. Accepted: false with verify false/,
        ],
    ];
    for (const [label, args, message] of pairCases) {
        it(`AssumableRolePair refuses ${label}`, async () => {
            let error: Error | undefined;
            const run = await runMocked("test", {}, async () => {
                try {
                    new AssumableRolePair("dev", args);
                } catch (e) {
                    error = e as Error;
                }
            });
            assert.match(String(error?.message), message);
            assert.deepStrictEqual(run.resources, []);
        });
    }

    it("a stack's service entry takes agentUsers as a comma-separated list", () => {
        assert.deepStrictEqual(parseServiceEntry("p", "web agentUsers=ec2-user,app"), {
            name: "web",
            settings: { agentUsers: ["ec2-user", "app"] },
        });
    });

    it("the stack program refuses a pair-level agentUsers beside services", async () => {
        await assert.rejects(
            runProgram("agent", {
                ...stackFileConfig("agent"),
                ...operatorConfig,
                "rolepair:agentUsers": JSON.stringify(["app"]),
            }),
            /Invalid rolepair:agentUsers: \["app"\]\. Accepted: no value with rolepair:services: set it per service/,
        );
    });
});
