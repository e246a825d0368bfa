// The connection rations the IMDS lock's file sets (verify/host/agent/imds-lock.nft), read from
// the file as it ships, so the tests hold the rules to their own numbers.
export interface LockRations {
    /** Connections at a time per local UID (root not counted). */
    perUid: number;
    /** Per address arriving from another interface. */
    perAddress: number;
    /** From other interfaces in all. */
    fromOutside: number;
}

export function lockRations(rules: string): LockRations {
    const limit = (pattern: RegExp) => Number(pattern.exec(rules)?.[1]);
    return {
        perUid: limit(/meta skuid ct count over (\d+)/),
        perAddress: limit(/ip saddr ct count over (\d+)/),
        fromOutside: limit(/new ct count over (\d+)/),
    };
}
