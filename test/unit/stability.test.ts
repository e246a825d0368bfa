// The promise to existing users: for the dev, root-trust and services stacks, every resource keeps its type,
// logical name, parent and inputs. A new name or parent would replace the resource in their stack;
// a changed input would update it (and for the host's user data, replace it). The snapshot is
// checked in; after an intended change, `npm run snapshot:update` rewrites it, and the diff is
// what a reviewer reads (with CHANGELOG's upgrade notes).
import * as assert from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { readVerifyBundle } from "../../components/bundles";
import { operatorConfig, repoRoot, runProgram, stackFileConfig } from "../../lab/program";
import type { Registered } from "../../lab/pulumiMocks";
import {
    rewriteSnapshot,
    type SnapshotUpdate,
    snapshotUpdate,
    updateRunFailure,
} from "../support/snapshotUpdate";

const snapshotPath = path.join(__dirname, "snapshots", "stable-resources.json");

const stacks: Record<string, () => Record<string, string>> = {
    dev: () => ({ ...stackFileConfig("dev"), ...operatorConfig }),
    "root-trust": () => ({ ...stackFileConfig("root-trust"), ...operatorConfig }),
    "dev (verify off)": () => ({ ...stackFileConfig("dev"), "rolepair:verify": "false" }),
    services: () => ({ ...stackFileConfig("services"), ...operatorConfig }),
};

/** Stack names in the registered URNs. */
const stackOf: Record<string, string> = {
    dev: "dev",
    "root-trust": "root-trust",
    "dev (verify off)": "dev",
    services: "services",
};

interface Entry {
    type: string;
    name: string;
    parent: string | null;
    /**
     * Options that decide between update and replacement, or what a delete does (ignoreChanges,
     * replaceOnChanges, deleteBeforeReplace, retainOnDelete), when set.
     */
    options?: Registered["options"];
    inputs: unknown;
}

/**
 * The profile sync program the installer carries (contract/profileSync.ts), gzipped and base64:
 * it changes with the program's code, which reaches hosts through the sync step by design.
 */
const packedProgram = /(<<'ROLEPAIR_PROGRAM'[^\n]*\n)[A-Za-z0-9+/=\n]+?(\nROLEPAIR_PROGRAM\n)/g;
const programSha256 = /(sha256sum "\$program" \| cut -d ' ' -f 1\)" != )[0-9a-f]{64} \]/g;

/**
 * What must not drift, made machine-independent: the checkout's path, the verify bundle's hash
 * (a new bundle re-runs the proof by design) and the packed profile sync program are replaced
 * with placeholders.
 */
function normalise(value: unknown, bundleHash: string): unknown {
    if (typeof value === "string") {
        return value
            .split(repoRoot)
            .join("<repo>")
            .split(bundleHash)
            .join("<verify-bundle-sha256>")
            .replace(packedProgram, "$1<profile-sync-program.gz.b64>$2")
            .replace(programSha256, "$1<profile-sync-program-sha256> ]");
    }
    if (Array.isArray(value)) return value.map((v) => normalise(v, bundleHash));
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => [k, normalise(v, bundleHash)]),
        );
    }
    return value;
}

/**
 * A command's triggers hold its stdin's sha256 (the sync script, which carries the packed
 * program): named as such, it stays put while the placeholders above hide what changes.
 */
function withStdinHashNamed(inputs: Record<string, unknown>): unknown {
    const stdin = inputs.stdin;
    if (typeof stdin !== "string" || !Array.isArray(inputs.triggers)) return inputs;
    const hash = createHash("sha256").update(stdin).digest("hex");
    return {
        ...inputs,
        triggers: inputs.triggers.map((t: unknown) => (t === hash ? "<sha256 of stdin>" : t)),
    };
}

function entries(resources: Registered[], bundleHash: string): Entry[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources
        .map((r) => {
            const parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
            return {
                type: r.type,
                name: r.name,
                parent: parent ? `${parent.type}::${parent.name}` : null,
                ...(Object.keys(r.options).length > 0 ? { options: r.options } : {}),
                inputs: normalise(withStdinHashNamed(r.wireInputs), bundleHash),
            };
        })
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
}

async function currentSnapshot(): Promise<Record<string, Entry[]>> {
    const bundleHash = readVerifyBundle(path.join(repoRoot, "dist", "verify.js")).hash;
    const snapshot: Record<string, Entry[]> = {};
    for (const [label, config] of Object.entries(stacks)) {
        const run = await runProgram(stackOf[label], config());
        snapshot[label] = entries(run.resources, bundleHash);
    }
    return snapshot;
}

describe("existing stacks are stable (no replacement, no drift)", () => {
    let current: Record<string, Entry[]>;
    let recorded: Record<string, Entry[]>;
    let update: SnapshotUpdate | undefined;
    before(async () => {
        current = await currentSnapshot();
        if (process.env.UPDATE_SNAPSHOTS === "1") {
            const old = rewriteSnapshot(snapshotPath, `${JSON.stringify(current, null, 2)}\n`);
            // Formatted as the repository's lint wants it, so the diff shows only what changed.
            execFileSync(path.join(repoRoot, "node_modules", ".bin", "prettier"), [
                "--write",
                snapshotPath,
            ]);
            update = snapshotUpdate(snapshotPath, "UPDATE_SNAPSHOTS", old);
        }
        recorded = JSON.parse(fs.readFileSync(snapshotPath, "utf8")) as Record<string, Entry[]>;
    });
    it("is compared with the checked-in snapshot, not rewritten (an update run fails)", () => {
        if (update) throw updateRunFailure(update);
    });

    for (const label of Object.keys(stacks)) {
        // Hosts made when the profiles were in user data (userDataReplaceOnChange) keep that user
        // data: the constant one a new host gets must not replace or update them.
        it(`${label}: the host ignores changes to its user data and image (upgrades keep it)`, () => {
            const host = current[label].find((e) => e.type === "aws:ec2/instance:Instance")!;
            assert.deepStrictEqual(
                [host.name, host.parent, host.options],
                [
                    "rolepair-host",
                    `${label === "services" ? "rolepair:index:SharedDevHost" : "rolepair:index:AssumableRolePair"}::rolepair`,
                    { ignoreChanges: ["ami", "userData"] },
                ],
            );
        });

        it(`${label}: every resource keeps its type, logical name and parent`, () => {
            const key = (e: Entry) => `${e.type} ${e.name} (parent ${e.parent})`;
            assert.deepStrictEqual(current[label].map(key), recorded[label].map(key));
        });

        it(`${label}: every resource keeps its replacement-deciding options`, () => {
            for (const [i, entry] of current[label].entries()) {
                assert.deepStrictEqual(
                    entry.options,
                    recorded[label][i]?.options,
                    `${entry.type} ${entry.name} changed its options`,
                );
            }
        });

        it(`${label}: every resource keeps its inputs`, () => {
            for (const [i, entry] of current[label].entries()) {
                assert.deepStrictEqual(
                    entry.inputs,
                    recorded[label][i]?.inputs,
                    `${entry.type} ${entry.name} changed its inputs`,
                );
            }
        });
    }
});
