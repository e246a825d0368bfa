// Day 2 on the shared dev host, under the services stack's config: adding, changing or removing a
// service never touches the EC2 instance (every input but its tags, and its options, stay as in the
// base case) in each mode (ssh, ssm, verify off); the change reaches the profile's SSM parameter,
// and a removed service's parameter is gone.
import * as assert from "assert";

import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";
import type { MockedRun } from "../../lab/pulumiMocks";

const modes: Record<string, Record<string, string>> = {
    ssh: operatorConfig,
    ssm: { "rolepair:verifyTransport": "ssm" },
    "verify off": { "rolepair:verify": "false" },
};

const base = ["service-a", "service-b", "service-c"];
const path = "/rolepair/rolepair/services/rolepair/profiles";

interface Change {
    label: string;
    services: string[];
    /** Each parameter expected after the change: profile name → a part of its value. */
    expect: (values: Map<string, string>) => void;
}

const changes: Change[] = [
    {
        label: "add service-d",
        services: [...base, "service-d"],
        expect: (values) => {
            assert.match(
                values.get("service-d")!,
                /^\{"v":1,"roleArn":"\S+service-d-target-role-\w+","region":"us-east-1"\}$/,
            );
            assert.strictEqual(values.size, 4);
        },
    },
    {
        label: "give service-b an ExternalId",
        services: ["service-a", "service-b externalId=rolepair-ext-b-2026", "service-c"],
        expect: (values) =>
            assert.match(values.get("service-b")!, /,"externalId":"rolepair-ext-b-2026"\}$/),
    },
    {
        label: "remove service-c",
        services: ["service-a", "service-b"],
        expect: (values) => assert.deepStrictEqual([...values.keys()], ["service-a", "service-b"]),
    },
    {
        label: "narrow service-a's actions",
        services: ["service-a objectActions=s3:GetObject", "service-b", "service-c"],
        expect: (values) => assert.strictEqual(values.size, 3),
    },
    {
        label: "move service-b to an existing bucket",
        services: ["service-a", "service-b bucketName=legacy-bucket-1", "service-c"],
        expect: (values) => assert.strictEqual(values.size, 3),
    },
    {
        label: "switch service-c to account-root trust",
        services: ["service-a", "service-b", "service-c trustMode=account-root"],
        expect: (values) => assert.strictEqual(values.size, 3),
    },
];

function run(mode: string, services: string[]) {
    return runProgram("services", {
        ...stackFileConfig("services"),
        ...modes[mode],
        "rolepair:services": JSON.stringify(services),
    });
}

/** The instance as the engine diffs it: every input but the tags, and its options. */
function instanceOf(result: MockedRun) {
    const instance = result.find("aws:ec2/instance:Instance", "rolepair-host");
    const { tags, ...inputs } = instance.wireInputs;
    void tags;
    return { inputs, options: instance.options };
}

function parameterValues(result: MockedRun): Map<string, string> {
    return new Map(
        result
            .all("aws:ssm/parameter:Parameter")
            .map((p) => [p.inputs.name.slice(path.length + 1), p.inputs.value as string]),
    );
}

describe("day 2: a change to the service set never touches the instance", () => {
    for (const mode of Object.keys(modes)) {
        describe(mode, () => {
            let baseRun: MockedRun;
            before(async () => {
                baseRun = await run(mode, base);
            });

            for (const change of changes) {
                it(`${change.label}: the instance's inputs and options are the base case's; the profile's parameter follows`, async () => {
                    const changed = await run(mode, change.services);
                    assert.deepStrictEqual(instanceOf(changed), instanceOf(baseRun));
                    const values = parameterValues(changed);
                    for (const [name, value] of values) {
                        assert.match(
                            value,
                            /^\{"v":1,"roleArn":"arn:aws:iam::\d{12}:role\/[^"]+","region":"us-east-1"/,
                            name,
                        );
                    }
                    change.expect(values);
                });
            }
        });
    }
});
