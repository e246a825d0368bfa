// The profile-config step (verify/host/proof/profileConfig.ts): the host's `[profile NAME]` must be the
// one this deploy wrote (its role_arn and external_id); a stale, missing or unreadable file is
// named as the sync agent's, with what to run on the host, and an ExternalId is never quoted.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

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
