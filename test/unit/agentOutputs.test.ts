// What a service is given to reach the credential agent, literally: the variables, the systemd
// drop-in and the compose fragment (which must also parse as the YAML it claims to be).
import * as assert from "assert";
import { parse } from "yaml";

import {
    agentComposeService,
    agentServiceOutput,
    agentSystemdDropIn,
} from "../../components/agentOutputs";

describe("credential agent outputs", () => {
    it("the systemd drop-in sets the two variables in [Service]", () => {
        assert.strictEqual(
            agentSystemdDropIn("service-a"),
            [
                "[Service]",
                "Environment=AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials",
                "Environment=AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/etc/rolepair/agent/tokens/service-a",
                "",
            ].join("\n"),
        );
    });

    it("the compose fragment sets them and mounts the token file read-only at the same path", () => {
        const text = agentComposeService("service-b");
        assert.strictEqual(
            text,
            [
                "environment:",
                "  AWS_CONTAINER_CREDENTIALS_FULL_URI: http://169.254.170.23/v1/credentials",
                "  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: /etc/rolepair/agent/tokens/service-b",
                "volumes:",
                "  - /etc/rolepair/agent/tokens/service-b:/etc/rolepair/agent/tokens/service-b:ro",
                "",
            ].join("\n"),
        );
        assert.deepStrictEqual(parse(text), {
            environment: {
                AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
                AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/etc/rolepair/agent/tokens/service-b",
            },
            volumes: [
                "/etc/rolepair/agent/tokens/service-b:/etc/rolepair/agent/tokens/service-b:ro",
            ],
        });
    });

    it("a service's output names its file, group and users, and holds no token", () => {
        assert.deepStrictEqual(agentServiceOutput("service-c", { users: ["ec2-user", "app"] }), {
            environment: {
                AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
                AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/etc/rolepair/agent/tokens/service-c",
            },
            tokenFile: "/etc/rolepair/agent/tokens/service-c",
            group: "rolepair-service-c",
            users: ["ec2-user", "app"],
            systemdDropIn: agentSystemdDropIn("service-c"),
            composeService: agentComposeService("service-c"),
        });
    });
});
