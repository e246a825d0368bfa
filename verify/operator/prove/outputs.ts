// Reads what prove needs from `pulumi stack output --json --show-secrets`: the `proofTarget`
// output (transport, host, region, plan, pinned host key, profiles path) and, over SSH, the
// secret `sshPrivateKey`. Anything missing or malformed is a UsageError naming it.
import { parseHostKeyLine } from "../../../contract/hostKeys";
import { maxPlanNesting, nestingDepth, validatePlan } from "../../../contract/plan";
import {
    proofTargetOutput,
    sshPrivateKeyOutput,
    type ProofTarget,
} from "../../../contract/proofTarget";
import { regionPattern } from "../../../contract/region";
import { UsageCollector, UsageError } from "../../../contract/usageError";

export interface ProveInputs {
    target: ProofTarget;
    /** ssh only: the private key (OpenSSH or PEM). */
    privateKey?: string;
}

const pathPattern = /^(\/[A-Za-z0-9_.-]+){1,15}$/;

/**
 * How deep the outputs may nest: the outputs object, proofTarget, then the plan's own bound, with
 * room for the other outputs of the caller's stack. Deeper is refused before JSON.parse, so no
 * recursion (JSON.stringify of a bad value in an error) meets a document nested thousands deep.
 */
export const maxOutputsNesting = 2 + maxPlanNesting + 27;

/** An IPv4 address in dotted decimal. */
const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A DNS name: labels of letters, digits and inner hyphens, none starting with "-". */
const dnsNamePattern =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** An IPv6 address (hex groups and colons, at least two colons); never starts with "-". */
const ipv6Pattern = /^(?=.*:.*:)[0-9A-Fa-f:.]{2,45}$/;

/** ssh's destination: an IPv4 or IPv6 address, or a DNS name, never something ssh reads as an option. */
export const hostAddressPattern = new RegExp(
    `${ipv4Pattern.source}|${dnsNamePattern.source}|${ipv6Pattern.source}`,
);

const expected = 'expected what "pulumi stack output --json --show-secrets" prints';

/** The outputs object from its JSON text, bounded in depth; every way it is not one is named. */
function parseOutputs(text: string, source: string): Record<string, unknown> {
    if (nestingDepth(text, maxOutputsNesting) > maxOutputsNesting)
        throw new UsageError(
            source,
            `nests arrays or objects more than ${maxOutputsNesting} deep (a plan nests ${maxPlanNesting}); ${expected}`,
        );
    // Empty input is what a failed "pulumi stack output" leaves in the pipe (its error went first).
    if (text.trim() === "")
        throw new UsageError(
            source,
            `empty; ${expected} (did that command fail? its error is above)`,
        );
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch (error) {
        throw new UsageError(source, `not JSON (${(error as Error).message}); ${expected}`);
    }
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
        throw new UsageError(
            source,
            'expected a JSON object of stack outputs, as "pulumi stack output --json --show-secrets" prints',
        );
    }
    return outputs as Record<string, unknown>;
}

/** The proofTarget output as an object, or why the stack has none. */
function proofTargetOf(all: Record<string, unknown>, source: string): Record<string, unknown> {
    const raw = all[proofTargetOutput];
    if (raw === undefined || raw === null) {
        const why =
            "instanceId" in all
                ? `the stack has no "${proofTargetOutput}" output: its verification is off (verify: false), or it was last deployed before prove existed (run pulumi up once)`
                : `no "${proofTargetOutput}" output, and no stack output of this project at all: pipe "pulumi stack output --json --show-secrets" of a rolepair stack`;
        throw new UsageError(source, why);
    }
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new UsageError(`${source}: ${proofTargetOutput}`, "expected an object");
    }
    return raw as Record<string, unknown>;
}

type StringField = (key: string, pattern: RegExp, accepted: string) => string;

/** The SSH transport's fields: the address, the user, the pinned host key and the private key. */
function sshFields(
    t: Record<string, unknown>,
    all: Record<string, unknown>,
    target: ProofTarget,
    str: StringField,
    problems: UsageCollector,
): string | undefined {
    target.publicIp = str("publicIp", hostAddressPattern, "an IPv4 or IPv6 address or a DNS name");
    target.sshUser = str("sshUser", /^[a-z_][a-z0-9_-]{0,31}$/, "a user name");
    const hostKey = t.hostKey;
    const parsed = typeof hostKey === "string" ? parseHostKeyLine(hostKey) : undefined;
    if (parsed === undefined) {
        problems.add(
            `${proofTargetOutput}.hostKey`,
            `${JSON.stringify(hostKey)} is not an SSH public key line to pin`,
        );
    } else {
        target.hostKey = hostKey as string;
    }
    const key = all[sshPrivateKeyOutput];
    if (typeof key === "string" && key.includes("PRIVATE KEY-----")) return key;
    problems.add(
        sshPrivateKeyOutput,
        key === "[secret]"
            ? 'shown as "[secret]": run pulumi stack output with --show-secrets'
            : "missing: the SSH transport needs the stack's private key (the sshPrivateKey output)",
    );
    return undefined;
}

/** Parses the outputs' JSON text; `source` names it in errors ("--outputs -" or the file). */
export function readProveInputs(text: string, source: string): ProveInputs {
    const all = parseOutputs(text, source);
    const t = proofTargetOf(all, source);
    const problems = new UsageCollector();
    const at = (key: string) => `${proofTargetOutput}.${key}`;
    const str: StringField = (key, pattern, accepted) => {
        const value = t[key];
        if (typeof value !== "string" || !pattern.test(value)) {
            problems.add(at(key), `${JSON.stringify(value)} is not ${accepted}`);
            return "";
        }
        return value;
    };
    const transport = t.transport;
    if (transport !== "ssh" && transport !== "ssm") {
        problems.add(at("transport"), `${JSON.stringify(transport)} is not "ssh" or "ssm"`);
    }
    const instanceId = str("instanceId", /^i-[0-9a-f]{8,17}$/, "an instance id (i-...)");
    const region = str("region", regionPattern, "an AWS region");
    const profilesPath = str("profilesPath", pathPattern, "an SSM parameter path");
    const timeout = t.propagationTimeoutSeconds;
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 0) {
        problems.add(
            at("propagationTimeoutSeconds"),
            `${JSON.stringify(timeout)} is not a whole number of seconds`,
        );
    }
    const plan = problems.attempt(() => validatePlan(t.plan, at("plan")));
    const target: ProofTarget = {
        transport: transport as string,
        instanceId,
        region,
        plan: plan ?? [],
        propagationTimeoutSeconds: timeout as number,
        profilesPath,
    };
    const privateKey = transport === "ssh" ? sshFields(t, all, target, str, problems) : undefined;
    problems.throwIfAny();
    return { target, privateKey };
}
