// Runs a component constructor or the stack program expecting a refusal: returns the error's
// message and how many resources were registered (a refusal registers none).
import * as assert from "assert";

import { operatorConfig, runProgram, stackFileConfig } from "../../lab/program";
import { runMocked } from "../../lab/pulumiMocks";

/** The message `construct` throws under mocks, and the resources registered before it threw. */
export async function refusedConstruction(
    construct: () => void,
): Promise<{ message: string; registered: number }> {
    let error: Error | undefined;
    const run = await runMocked("test", {}, async () => {
        try {
            construct();
        } catch (e) {
            error = e as Error;
        }
        return {};
    });
    assert.ok(error, "the component must throw");
    return { message: error.message, registered: run.resources.length };
}

/** The message the stack program throws with `stack`'s file config, the operator's and `extra` (`secretKeys` set with --secret). */
export async function refusedProgram(
    stack: string,
    extra: Record<string, string>,
    secretKeys?: string[],
): Promise<{ message: string; registered: number }> {
    let error: Error | undefined;
    await runProgram(
        stack,
        { ...stackFileConfig(stack), ...operatorConfig, ...extra },
        undefined,
        secretKeys,
    ).catch((e: Error) => (error = e));
    assert.ok(error, "the program must throw");
    const { getMonitor } = await import("@pulumi/pulumi/runtime");
    const registered = (getMonitor() as any).getRegisteredResources().size as number;
    return { message: error.message, registered };
}
