// The SSM runner's whole run, shared by its command line (ssm-runner.js) and by prove.
import { exitCodes } from "../../cli/exitCodes";
import { SSMClient } from "@aws-sdk/client-ssm";
import * as fs from "fs";

import {
    credentialAgentBundleName,
    credentialAgentProgram,
} from "../../../contract/credentialAgentProgram";
import { parsePlanText, planProfiles } from "../../../contract/plan";
import { profileSyncNow } from "../../../contract/profileSync";
import { maxParameterCharsPerCommand } from "../../../contract/ssmLimits";
import type { RunnerOptions } from "./args";
import { deliveredFilePath, planDelivery, runScript } from "./hostScript";
import {
    deliver,
    interpret,
    type Outcome,
    type Progress,
    RunnerError,
    runCommand,
    waitUntilOnline,
} from "./runner";

/**
 * The whole run: build what is sent (a plan too large fails before any wait), wait until the
 * instance is Online, deliver the bundle, sync the profiles and run verify, read its report.
 */
export async function runProof(
    options: RunnerOptions,
    planJson: string,
    wrapperSource: string,
    progress: Progress = (line) => process.stderr.write(`… ${line}\n`),
): Promise<Outcome> {
    // Everything sent is built first: a plan too large for one command fails before any wait.
    // The agent's program is too large for the run command: it travels in parts, as verify does.
    const agentProgram =
        options.profilesPath !== undefined && options.credentialAgent
            ? credentialAgentProgram()
            : undefined;
    const delivery = planDelivery(
        fs.readFileSync(options.verifyBundlePath),
        undefined,
        agentProgram !== undefined
            ? [{ name: credentialAgentBundleName, content: agentProgram }]
            : [],
    );
    const script = runScript({
        delivery,
        wrapperSource,
        planJson,
        region: options.region,
        propagationTimeoutSeconds: options.propagationTimeoutSeconds,
        ...(options.profilesPath !== undefined
            ? {
                  profileSync: profileSyncNow(options.profilesPath, {
                      profiles: planProfiles(parsePlanText(planJson, "stdin")),
                      ...(agentProgram !== undefined
                          ? {
                                credentialAgent: true,
                                agentFiles: {
                                    program: agentProgram,
                                    programFile: deliveredFilePath(credentialAgentBundleName),
                                },
                            }
                          : {}),
                  }),
              }
            : {}),
    });
    if (script.length > maxParameterCharsPerCommand)
        throw new RunnerError(
            `the plan is too large to send in one SendCommand (${script.length} characters with the wrapper; at most ${maxParameterCharsPerCommand}): prove fewer services per host`,
            exitCodes.usage,
        );
    const ssm = new SSMClient({ region: options.region });
    const polling = {
        instanceId: options.instanceId,
        pollSeconds: options.pollIntervalSeconds,
    };
    await waitUntilOnline(
        ssm,
        { ...polling, region: options.region, timeoutSeconds: options.onlineTimeoutSeconds },
        progress,
    );
    await deliver(
        ssm,
        delivery,
        { ...polling, executionTimeoutSeconds: Math.min(options.commandTimeoutSeconds, 300) },
        progress,
    );
    progress(
        `running verify on ${options.instanceId} as ec2-user (bundle sha256 ${delivery.bundleSha256})`,
    );
    const invocation = await runCommand(ssm, {
        ...polling,
        script,
        comment: "rolepair verify: run",
        executionTimeoutSeconds: options.commandTimeoutSeconds,
    });
    return interpret(invocation, {
        instanceId: options.instanceId,
        commandTimeoutSeconds: options.commandTimeoutSeconds,
    });
}
