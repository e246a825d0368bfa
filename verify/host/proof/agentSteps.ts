// The credential agent's own promises, as steps: a service's token yields no other service's role
// whatever the request names, and no token (or a wrong one) yields nothing.
import { randomBytes } from "crypto";

import type { VerifyTarget } from "../../../contract/plan";
import { maskAccessKeyId } from "../../../contract/report";
import type { SessionKeys } from "../stsCredentials";
import { askAgent, type AgentAnswer, type AgentRequest } from "./agentClient";
import { sessionArnPrefix, type Outcome } from "./steps";

/** One way a request could try to select another service's role with this service's token. */
export interface CrossRequest {
    /** What the request named, for the report (never the token). */
    label: string;
    request: AgentRequest;
}

/** Query strings, paths and headers naming `other` (its service name, role ARN and profile). */
export function crossRequests(other: VerifyTarget): CrossRequest[] {
    const role = encodeURIComponent(other.roleArn);
    const name = encodeURIComponent(other.name);
    const requests: CrossRequest[] = [
        { label: `?role=<${other.name}'s role>`, request: { suffix: `?role=${role}` } },
        { label: `?service=${other.name}`, request: { suffix: `?service=${name}` } },
        { label: `/${other.name}`, request: { suffix: `/${name}` } },
        {
            label: `X-Role/X-Service: ${other.name}`,
            request: { headers: { "x-role": other.roleArn, "x-service": other.name } },
        },
    ];
    if (other.profile !== undefined && other.profile !== other.name) {
        const profile = encodeURIComponent(other.profile);
        requests.push({
            label: `?profile=${other.profile}`,
            request: { suffix: `?profile=${profile}` },
        });
    }
    return requests;
}

/** The caller identity of a set of credentials (GetCallerIdentity with them). */
export type IdentityOf = (credentials: SessionKeys) => Promise<string>;

/**
 * With `token` (the service's own), every request naming another service is refused or answered
 * with this service's own role: the same access key as the plain request, or, when the agent gave
 * fresh keys, a session of this service's role by GetCallerIdentity.
 */
export async function expectCrossTokenRefused(
    url: string,
    token: string,
    target: VerifyTarget,
    own: SessionKeys,
    others: readonly VerifyTarget[],
    identityOf: IdentityOf,
): Promise<Outcome> {
    const ownPrefix = sessionArnPrefix(target.roleArn);
    const tried = others.flatMap((other) => crossRequests(other).map((r) => ({ other, ...r })));
    const answers = await Promise.all(
        tried.map(async ({ other, label, request }) => {
            const answer = await askAgent(url, token, request);
            if (answer.status !== 200 || answer.credentials === undefined) {
                return { other, label, refused: true, leaked: answer.leaked === true };
            }
            if (answer.credentials.accessKeyId === own.accessKeyId) {
                return { other, label, refused: false };
            }
            const arn = await identityOf(answer.credentials);
            return {
                other,
                label,
                refused: false,
                foreign: arn.startsWith(ownPrefix) ? undefined : arn,
            };
        }),
    );
    const bad = answers.find((a) => a.foreign !== undefined || a.leaked);
    if (bad !== undefined) {
        const what = bad.foreign
            ? `credentials of ${bad.foreign}`
            : "a refusal whose body holds an AccessKeyId";
        return {
            ok: false,
            observed: `${target.name}'s token with ${bad.label} (naming ${bad.other.name}) got ${what}`,
            diagnosis:
                `the credential agent gives service ${target.name}'s token more than its own role: a request naming service ${bad.other.name} ` +
                "was answered with another role's credentials. A token must select its service and nothing in the request may override it.",
        };
    }
    const refused = answers.filter((a) => a.refused).length;
    return {
        ok: true,
        observed:
            tried.length === 0
                ? "no other service in the plan to name"
                : `${tried.length} requests naming ${others.length} other service(s): ${refused} refused, ` +
                  `${tried.length - refused} answered with ${target.name}'s own role (${maskAccessKeyId(own.accessKeyId)})`,
    };
}

function isRefusal(answer: AgentAnswer): boolean {
    return (
        (answer.status === 401 || answer.status === 403) &&
        answer.credentials === undefined &&
        !answer.leaked
    );
}

/** No Authorization header, and a random wrong token: each 401 or 403, without credentials. */
export async function expectNoTokenRefused(url: string, service: string): Promise<Outcome> {
    const wrong = randomBytes(32).toString("hex");
    const [none, unknown] = await Promise.all([askAgent(url, undefined), askAgent(url, wrong)]);
    const describe = (a: AgentAnswer) =>
        `HTTP ${a.status}${a.code ? ` ${a.code}` : ""}${a.credentials ? " with credentials" : ""}`;
    const observed = `no token: ${describe(none)}; a wrong token: ${describe(unknown)}`;
    if (isRefusal(none) && isRefusal(unknown)) return { ok: true, observed };
    return {
        ok: false,
        observed,
        diagnosis:
            `the credential agent (asked for service ${service}) must answer a request without a valid token with 401 or 403 and no credentials: ` +
            "any process that can reach it would otherwise get a role.",
    };
}
