// Which service a presented token belongs to, compared in constant time: every configured token is
// compared (as SHA-256 digests of equal length), so the time taken says nothing about which
// service's token, or how much of one, was guessed.
import { createHash, timingSafeEqual } from "crypto";

import type { AgentService } from "./servicesFile";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export class TokenIndex {
    private readonly digests: { service: AgentService; digest: Buffer }[];

    constructor(services: readonly AgentService[]) {
        this.digests = services.map((service) => ({ service, digest: digest(service.token) }));
    }

    /** The service whose token this is, or undefined. */
    find(token: string): AgentService | undefined {
        const presented = digest(token);
        let found: AgentService | undefined;
        for (const { service, digest: expected } of this.digests) {
            if (timingSafeEqual(presented, expected)) found = service;
        }
        return found;
    }
}
