// The agent route: a service's token gets credentials from the credential agent, and with those
// alone its role session, declared actions and isolation are shown; then the token's limits.
// Apart because it needs neither the host's credentials nor the session, and starts at once.
import type { VerifyTarget } from "../../../contract/plan";
import {
    type AgentSection,
    maskAccessKeyId,
    type ServiceReport,
    type StepName,
    type StepResult,
} from "../../../contract/report";
import type { SessionKeys } from "../stsCredentials";
import { askAgent, readToken, tokenFileFor } from "./agentClient";
import { expectCrossTokenRefused, expectNoTokenRefused } from "./agentSteps";
import { s3Client, stsClient } from "./clients";
import { ListingProbe } from "./listingProbe";
import type { Recorder } from "./recorder";
import { routeRoundTrip } from "./s3RoundTrip";
import type { ServiceProof } from "./serviceProof";
import { callerIdentity, expectNotListable, type Outcome, sessionArnPrefix } from "./steps";

/**
 * The agent route: the service's token gets credentials from the agent, and with those alone
 * (no other source) the service's role session, its declared actions on its bucket and its
 * denial of every other bucket are shown by the same steps the other routes use. Then the
 * token's limits: no other service's role, and nothing without it.
 */
export async function proveAgentRoute(
    proof: ServiceProof,
    rec: Recorder,
    target: VerifyTarget,
    service: ServiceReport,
): Promise<StepResult[]> {
    const { aws, agentUrl: url } = proof;
    let own: SessionKeys | undefined;
    let token: string | undefined;
    const noToken = rec.run("agent-no-token", () => expectNoTokenRefused(url, target.name));
    const got = await rec.run("agent-credentials", async () => {
        token = readToken(tokenFileFor(target.profile ?? target.name, proof.options.agentTokenDir));
        const answer = await askAgent(url, token);
        own = answer.credentials;
        return agentCredentialsStep(answer, url, target);
    });
    if (!got.ok || own === undefined || token === undefined) {
        const steps = [got, await noToken];
        service.agent = agentSection(url, steps);
        return steps;
    }
    const credentials = own;
    const ownToken = token;
    const s3 = s3Client(aws, credentials);
    const listings = new ListingProbe(s3, aws.transport?.pool);
    const otherBuckets = proof.buckets.filter((b) => b !== target.bucket);
    const otherTargets = proof.options.targets.filter((t) => t.name !== target.name);
    const identityOf = (keys: SessionKeys) => callerIdentity(stsClient(aws, keys));
    const steps = await Promise.all([
        got,
        rec.run("agent-identity", async () => {
            service.identities.agent = await identityOf(credentials);
            return service.identities.agent.startsWith(sessionArnPrefix(target.roleArn))
                ? { ok: true, observed: service.identities.agent }
                : {
                      ok: false,
                      observed: service.identities.agent,
                      diagnosis: `the credential agent answers service ${target.name}'s token with credentials of another role: expected a session of ${target.roleArn}.`,
                  };
        }),
        rec.run("agent-round-trip", () => routeRoundTrip(s3, target, "the agent")),
        rec.run("agent-isolation", () => agentIsolationStep(listings, otherBuckets, target)),
        rec.run("agent-cross-token", () =>
            expectCrossTokenRefused(url, ownToken, target, credentials, otherTargets, identityOf),
        ),
        noToken,
    ]);
    service.agent = agentSection(url, steps);
    return steps;
}

function agentSection(url: string, steps: StepResult[]): AgentSection {
    const ok = (...names: StepName[]) =>
        names.every((name) => steps.some((s) => s.name === name && s.ok));
    return {
        url,
        routeProven: ok(
            "agent-credentials",
            "agent-identity",
            "agent-round-trip",
            "agent-isolation",
        ),
        crossTokenRefused: ok("agent-cross-token"),
        noTokenRefused: ok("agent-no-token"),
    };
}

/** agent-credentials: the agent answered this service's token with credentials still valid. */
function agentCredentialsStep(
    answer: Awaited<ReturnType<typeof askAgent>>,
    url: string,
    target: VerifyTarget,
): Outcome {
    const own = answer.credentials;
    if (own === undefined) {
        return {
            ok: false,
            observed: `HTTP ${answer.status}${answer.code ? ` ${answer.code}` : ""} from ${url}`,
            diagnosis: `the credential agent refuses service ${target.name}'s token: the agent has not loaded this service (check its services file and the rolepair-credential-agent unit's log), or the token file is stale.`,
        };
    }
    if (own.expiration.getTime() <= Date.now()) {
        return {
            ok: false,
            observed: `credentials ${maskAccessKeyId(own.accessKeyId)} expired at ${own.expiration.toISOString()}`,
            diagnosis: `the credential agent served service ${target.name} expired credentials.`,
        };
    }
    return {
        ok: true,
        observed: `HTTP 200 from ${url}: ${maskAccessKeyId(own.accessKeyId)}, expire at ${own.expiration.toISOString()}`,
    };
}

/** agent-isolation: the agent's session for this service is denied every other bucket's listing. */
async function agentIsolationStep(
    listings: ListingProbe,
    otherBuckets: string[],
    target: VerifyTarget,
): Promise<Outcome> {
    const outcomes = await Promise.all(
        otherBuckets.map((bucket) =>
            expectNotListable(listings, bucket, target.name, target.roleArn).then((outcome) => ({
                bucket,
                outcome,
            })),
        ),
    );
    const leak = outcomes.find((o) => !o.outcome.ok);
    if (leak) return { ...leak.outcome, observed: `${leak.outcome.observed} on ${leak.bucket}` };
    return {
        ok: true,
        observed:
            otherBuckets.length === 0
                ? "no other bucket in the plan"
                : `AccessDenied on ${otherBuckets.length} other bucket(s)`,
    };
}
