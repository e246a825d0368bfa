// The profile-config step (verify/host/proof/profileConfig.ts): the host's `[profile NAME]` must be the
// one this deploy wrote (its role_arn and external_id); a stale, missing or unreadable file is
// named as the sync agent's, with what to run on the host, and an ExternalId is never quoted.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { agentCredentialProcess } from "../../../contract/credentialAgent";
import { renderProfileBlock } from "../../../contract/profileParameters";
import { checkProfileConfig, parseProfiles } from "../../../verify/host/proof/profileConfig";
import type { VerifyTarget } from "../../../contract/plan";
import { makeTempDir, removeTempDir } from "../../../lab/cleanup";

const roleArn = "arn:aws:iam::123456789012:role/svc";
const target = (externalId?: string): VerifyTarget => ({
    name: "svc",
    roleArn,
    bucket: "bucket-svc",
    profile: "svc-profile",
    ...(externalId !== undefined ? { externalId } : {}),
});
const agent =
    "The host's sync agent writes it from SSM Parameter Store: it has not run since, or failed " +
    "(on the host: sudo systemctl start rolepair-profiles.service; journalctl -u rolepair-profiles.service).";

describe("the profile-config step", () => {
    let dir: string;
    let file: string;
    const write = (text: string) => fs.writeFileSync(file, text);
    const stale = (what: string) =>
        `service svc: the profile svc-profile on the host is not the one just deployed: ${what} in ${file}. ${agent}`;

    before(() => {
        dir = makeTempDir("rolepair-config-");
        file = path.join(dir, "config");
    });
    after(() => removeTempDir(dir));

    it("passes the profile the deploy wrote, saying whether it carries the ExternalId", () => {
        write(`[profile svc-profile]\nrole_arn = ${roleArn}\nregion = eu-west-3\n`);
        assert.deepStrictEqual(checkProfileConfig(target(), file), {
            ok: true,
            observed: `[profile svc-profile] in ${file} assumes ${roleArn}`,
        });
        write(`[profile svc-profile]\nrole_arn = ${roleArn}\nexternal_id = secret-ext\n`);
        assert.deepStrictEqual(checkProfileConfig(target("secret-ext"), file), {
            ok: true,
            observed: `[profile svc-profile] in ${file} assumes ${roleArn} with the ExternalId`,
        });
    });

    it("an agent-served service: passes the block the sync renders (the agent's credential_process), refuses a role_arn or another service's token", () => {
        const served = { ...target(), agent: true };
        const block = renderProfileBlock({
            name: "svc-profile",
            roleArn,
            region: "eu-west-3",
            agent: { users: ["ec2-user"] },
        });
        write(block);
        assert.deepStrictEqual(checkProfileConfig(served, file), {
            ok: true,
            observed: `[profile svc-profile] in ${file} gets its credentials from the credential agent with the service's token`,
        });
        // The same block for a service without the agent is stale: it has no role_arn.
        assert.strictEqual(checkProfileConfig(target(), file).ok, false);
        const expected = agentCredentialProcess("svc-profile");
        write(
            `[profile svc-profile]\nrole_arn = ${roleArn}\ncredential_source = Ec2InstanceMetadata\n`,
        );
        assert.deepStrictEqual(
            checkProfileConfig(served, file).diagnosis,
            stale(
                `credential_process is missing, the deploy set the credential agent's (${expected}); it has a role_arn, the deploy set the credential agent's credential_process`,
            ),
        );
        write(`[profile svc-profile]\ncredential_process = ${agentCredentialProcess("other")}\n`);
        assert.deepStrictEqual(
            checkProfileConfig(served, file).diagnosis,
            stale(
                `credential_process is ${agentCredentialProcess("other")}, the deploy set the credential agent's (${expected})`,
            ),
        );
    });

    it("names a file that cannot be read, with its error code", () => {
        const missing = path.join(dir, "missing");
        assert.deepStrictEqual(checkProfileConfig(target(), missing), {
            ok: false,
            observed: `${missing}: ENOENT`,
            diagnosis: `service svc: the profile svc-profile on the host is not the one just deployed: the file cannot be read (ENOENT) in ${missing}. ${agent}`,
        });
    });

    it("names a missing profile", () => {
        write(`[profile other]\nrole_arn = ${roleArn}\n`);
        assert.deepStrictEqual(checkProfileConfig(target(), file), {
            ok: false,
            observed: `no [profile svc-profile] in ${file}`,
            diagnosis: stale("there is no [profile svc-profile]"),
        });
    });

    it("names every difference, and never quotes an ExternalId", () => {
        const cases: [string, string | undefined, string][] = [
            [
                "role_arn = arn:aws:iam::123456789012:role/old\n",
                undefined,
                `role_arn is arn:aws:iam::123456789012:role/old, the deploy set ${roleArn}`,
            ],
            ["region = eu-west-3\n", undefined, `role_arn is missing, the deploy set ${roleArn}`],
            [`role_arn = ${roleArn}\n`, "ext-new", "it has no external_id, the deploy set one"],
            [
                `role_arn = ${roleArn}\nexternal_id = ext-old\n`,
                undefined,
                "it has an external_id, the deploy set none",
            ],
            [
                `role_arn = ${roleArn}\nexternal_id = ext-old\n`,
                "ext-new",
                "its external_id differs from the one the deploy set",
            ],
            [
                "external_id = ext-old\n",
                "ext-new",
                `role_arn is missing, the deploy set ${roleArn}; its external_id differs from the one the deploy set`,
            ],
        ];
        for (const [settings, externalId, problems] of cases) {
            write(`[profile svc-profile]\n${settings}`);
            const outcome = checkProfileConfig(target(externalId), file);
            assert.deepStrictEqual(
                outcome,
                {
                    ok: false,
                    observed: `[profile svc-profile] in ${file}: ${problems}`,
                    diagnosis: stale(problems),
                },
                settings,
            );
            assert.ok(!JSON.stringify(outcome).includes("ext-"), "an ExternalId was quoted");
        }
    });
});

describe("the AWS config file's profiles", () => {
    it("reads [profile NAME] and [default] sections, skipping comments and settings outside any", () => {
        const text = [
            "region = us-east-1",
            "# a comment",
            "; another",
            "[default]",
            "region = eu-west-1",
            "[ profile  svc ]",
            "  role_arn = arn:aws:iam::123456789012:role/svc  ",
            "external_id=x=y",
            "not a setting",
            "",
        ].join("\r\n");
        assert.deepStrictEqual(
            parseProfiles(text),
            new Map([
                ["default", new Map([["region", "eu-west-1"]])],
                [
                    "svc",
                    new Map([
                        ["role_arn", "arn:aws:iam::123456789012:role/svc"],
                        ["external_id", "x=y"],
                    ]),
                ],
            ]),
        );
    });
});

describe("the profile-config step on a host's plan: the whole file", () => {
    const region = "eu-west-3";
    const whole = { profiles: ["svc-profile", "b"], region };
    const file = "/home/ec2-user/.aws/config";
    const block = (name: string, arn: string, extra = "") =>
        `[profile ${name}]\nrole_arn = ${arn}\ncredential_source = Ec2InstanceMetadata\nregion = ${region}\n${extra}`;
    const planned =
        block("b", "arn:aws:iam::123456789012:role/b") +
        "\n" +
        block("svc-profile", roleArn, "external_id = secret-ext\n");
    const check = (text: string) => checkProfileConfig(target("secret-ext"), { file, text }, whole);

    it("passes a file that holds exactly the plan's profiles, as the sync renders them", () => {
        assert.deepStrictEqual(check(planned), {
            ok: true,
            observed: `[profile svc-profile] in ${file} assumes ${roleArn} with the ExternalId; the file holds only the plan's 2 profile(s)`,
        });
    });

    it("names each section, key, profile and line the plan did not put there, never a value", () => {
        const cases: [string, string][] = [
            [`${planned}\n[default]\nregion = us-east-1\n`, `the section "[default]" on line 12`],
            [
                `${planned} [default]\n`,
                "an indented line 11 (the SDK may read it as a section or a value)",
            ],
            [
                `${planned}\t[default]\n`,
                "an indented line 11 (the SDK may read it as a section or a value)",
            ],
            [
                `${planned}credential_process = /tmp/evil.sh\n`,
                "[profile svc-profile] has a credential_process that is not the credential agent's for it; [profile svc-profile] has both the agent's credential_process and role_arn; [profile svc-profile] has both the agent's credential_process and credential_source; [profile svc-profile] has both the agent's credential_process and external_id",
            ],
            [
                `${planned}\n${block("c", "arn:aws:iam::123456789012:role/c")}`,
                "[profile c] on line 12, a profile the plan does not hold",
            ],
            [
                `region = us-east-1\n${planned}`,
                "the key region on line 1, outside the plan's sections",
            ],
            [`${planned}# a note\n`, 'line 11, neither a section nor a "key = value" setting'],
            [
                `${planned}external_id = other-ext\n`,
                "a second external_id in [profile svc-profile] on line 11",
            ],
            [
                planned.replace(
                    "credential_source = Ec2InstanceMetadata\nregion = eu-west-3\next",
                    "credential_source = Environment\nregion = eu-west-3\next",
                ),
                "[profile svc-profile] has credential_source Environment, the sync writes Ec2InstanceMetadata",
            ],
            [
                planned.replace(`region = ${region}\n\n`, "region = us-east-1\n\n"),
                "[profile b] has region us-east-1, the proof's is eu-west-3",
            ],
        ];
        for (const [text, extra] of cases) {
            const outcome = check(text);
            assert.strictEqual(outcome.ok, false, text);
            assert.strictEqual(outcome.observed, `${file} also holds ${extra}`, text);
            assert.match(
                outcome.diagnosis!,
                new RegExp(`^service svc: ${file} holds what this deploy did not put there: `),
            );
            assert.ok(outcome.diagnosis!.includes(extra), outcome.diagnosis);
            assert.ok(!JSON.stringify(outcome).includes("other-ext"), "an ExternalId was quoted");
            assert.ok(!JSON.stringify(outcome).includes("secret-ext"), "an ExternalId was quoted");
        }
    });

    it("accepts the credential agent's block for a profile: its own credential_process and the region", () => {
        const agentBlock =
            "[profile b]\n" +
            "credential_process = /usr/local/bin/node /usr/local/lib/rolepair/credential-agent.js --print-credentials --token-file /etc/rolepair/agent/tokens/b\n" +
            `region = ${region}\n`;
        const text = planned.replace(
            `[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\ncredential_source = Ec2InstanceMetadata\nregion = ${region}\n`,
            agentBlock,
        );
        assert.notStrictEqual(text, planned);
        assert.strictEqual(check(text).ok, true, check(text).observed);
        const other = text.replace("tokens/b", "tokens/svc-profile");
        assert.strictEqual(
            check(other).observed,
            `${file} also holds [profile b] has a credential_process that is not the credential agent's for it`,
        );
    });

    it("a single --profile (no plan) is one profile among the user's: the rest is not judged", () => {
        const text = `[default]\nregion = us-east-1\n${planned}`;
        assert.strictEqual(checkProfileConfig(target("secret-ext"), { file, text }).ok, true);
        assert.strictEqual(check(text).ok, false);
    });

    it("names a file the bounded reader refused", () => {
        assert.deepStrictEqual(checkProfileConfig(target(), "/dev/zero", whole), {
            ok: false,
            observed: "/dev/zero: is a device; expected a regular file",
            diagnosis:
                "service svc: the profile svc-profile on the host is not the one just deployed: the file cannot be read (is a device; expected a regular file) in /dev/zero. " +
                agent,
        });
    });
});
