// The runner's steps, each a function over an SSM client: wait until the instance is Online,
// deliver the verify bundle in numbered parts, run verify, read its report back.
//
// GetCommandInvocation is polled here rather than with the SDK's waitUntilCommandExecuted: the
// states are the waiter's (InvocationDoesNotExist, Pending, InProgress, Delayed retry; Success,
// Failed, TimedOut, Cancelled end), but the waiter throws on Failed with the invocation folded
// into an error message, and Failed with exit code 1 is verify's ordinary "the proof failed"
// answer whose report we need; it also cannot report progress. Throttling and dropped connections
// are retried by the SDK's standard retry inside each call.
import {
    DescribeInstanceInformationCommand,
    GetCommandInvocationCommand,
    type GetCommandInvocationCommandOutput,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";

import { describeFailure, type ProofReport } from "../../../contract/report";
import { type Delivery, hostExitCodes } from "./hostScript";
import { exitCodes } from "../../cli/exitCodes";
import { endMarker, maxCommentChars, ssmStdoutLimit } from "../../../contract/ssmLimits";

/** A failure of the runner itself, with the exit code it ends with. */
export class RunnerError extends Error {
    constructor(
        message: string,
        public readonly exitCode: number,
    ) {
        super(message);
        this.name = "RunnerError";
    }
}

export type Progress = (line: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits pollSeconds, then 1.5 times longer each time, up to 5 times pollSeconds. */
function backoff(pollSeconds: number) {
    let next = pollSeconds * 1000;
    return () => {
        const wait = next;
        next = Math.min(next * 1.5, pollSeconds * 5000);
        return wait;
    };
}

function errorName(error: unknown): string | undefined {
    return error instanceof Error ? error.name : undefined;
}

/** The permission an AccessDenied names, said in words the operator can act on. */
function accessDenied(action: string, instanceId: string): RunnerError {
    return new RunnerError(
        `the operator's credentials may not call ${action} (AccessDeniedException) for ${instanceId}. They need ssm:DescribeInstanceInformation, ssm:SendCommand on the instance and on the AWS-RunShellScript document, and ssm:GetCommandInvocation (see docs/ssm.md).`,
        exitCodes.couldNotRun,
    );
}

export interface OnlineOptions {
    instanceId: string;
    region: string;
    timeoutSeconds: number;
    pollSeconds: number;
}

/** Polls DescribeInstanceInformation until the instance's PingStatus is Online. */
export async function waitUntilOnline(
    ssm: SSMClient,
    options: OnlineOptions,
    onProgress: Progress,
): Promise<void> {
    const { instanceId, region } = options;
    const started = Date.now();
    const deadline = started + options.timeoutSeconds * 1000;
    const nextWait = backoff(options.pollSeconds);
    let last: string | undefined;
    let lastReport = 0;
    for (;;) {
        let status = "not registered with Systems Manager yet";
        try {
            const answer = await ssm.send(
                new DescribeInstanceInformationCommand({
                    Filters: [{ Key: "InstanceIds", Values: [instanceId] }],
                }),
            );
            const info = answer.InstanceInformationList?.find((i) => i.InstanceId === instanceId);
            if (info?.PingStatus === "Online") {
                onProgress(`${instanceId} is Online in Systems Manager`);
                return;
            }
            if (info?.PingStatus) status = info.PingStatus;
        } catch (error) {
            if (errorName(error) === "AccessDeniedException")
                throw accessDenied("ssm:DescribeInstanceInformation", instanceId);
            throw error;
        }
        const now = Date.now();
        if (status !== last || now - lastReport > 30_000) {
            onProgress(
                `waiting for ${instanceId} to be Online in Systems Manager: ${status} (${Math.round((now - started) / 1000)} s of ${options.timeoutSeconds} s)`,
            );
            last = status;
            lastReport = now;
        }
        const wait = nextWait();
        if (now + wait > deadline) {
            throw new RunnerError(
                `instance ${instanceId} did not come Online in Systems Manager within ${options.timeoutSeconds} s (last seen: ${status}, region ${region}). Check: (1) the SSM agent runs on it (preinstalled on Amazon Linux 2023: systemctl status amazon-ssm-agent); (2) its instance profile's role has the AmazonSSMManagedInstanceCore managed policy; (3) it can reach Systems Manager: a public address or a NAT gateway, or VPC interface endpoints for ssm, ssmmessages and ec2messages (plus sts, and an S3 gateway endpoint); (4) ${region} and these credentials are the stack's account and region.`,
                exitCodes.couldNotRun,
            );
        }
        await sleep(wait);
    }
}

export interface CommandOptions {
    instanceId: string;
    script: string;
    comment: string;
    /** AWS-RunShellScript's executionTimeout. */
    executionTimeoutSeconds: number;
    pollSeconds: number;
}

const pendingStatuses = new Set(["Pending", "InProgress", "Delayed", "Cancelling"]);

/**
 * Sends one AWS-RunShellScript command and polls GetCommandInvocation until it ends. Right after
 * SendCommand the invocation may not exist yet (eventual consistency): InvocationDoesNotExist is
 * polled through like Pending. Bounded: delivery timeout plus execution timeout plus a minute.
 */
export async function runCommand(
    ssm: SSMClient,
    options: CommandOptions,
): Promise<GetCommandInvocationCommandOutput> {
    const { instanceId } = options;
    let commandId: string | undefined;
    // The delivery timeout (TimeoutSeconds): if the command has not started by then, it never runs.
    const deliverySeconds = Math.max(30, Math.min(options.executionTimeoutSeconds, 600));
    try {
        const sent = await ssm.send(
            new SendCommandCommand({
                InstanceIds: [instanceId],
                DocumentName: "AWS-RunShellScript",
                Comment: options.comment.slice(0, maxCommentChars),
                TimeoutSeconds: deliverySeconds,
                Parameters: {
                    commands: [options.script],
                    executionTimeout: [String(options.executionTimeoutSeconds)],
                },
            }),
        );
        commandId = sent.Command?.CommandId;
    } catch (error) {
        const name = errorName(error);
        if (name === "AccessDeniedException") throw accessDenied("ssm:SendCommand", instanceId);
        if (name === "InvalidInstanceId")
            throw new RunnerError(
                `Systems Manager refused to send a command to ${instanceId} (InvalidInstanceId): it is not a managed instance in this account and region, or it is no longer Online.`,
                exitCodes.couldNotRun,
            );
        throw error;
    }
    if (commandId === undefined)
        throw new RunnerError("SendCommand returned no CommandId", exitCodes.couldNotRun);

    const boundSeconds = deliverySeconds + options.executionTimeoutSeconds + 60;
    const deadline = Date.now() + boundSeconds * 1000;
    const nextWait = backoff(options.pollSeconds);
    for (;;) {
        await sleep(nextWait());
        try {
            const invocation = await ssm.send(
                new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
            );
            if (!pendingStatuses.has(invocation.Status ?? "Pending")) return invocation;
        } catch (error) {
            const name = errorName(error);
            if (name === "AccessDeniedException")
                throw accessDenied("ssm:GetCommandInvocation", instanceId);
            if (name !== "InvocationDoesNotExist") throw error;
        }
        if (Date.now() > deadline) {
            throw new RunnerError(
                `command ${commandId} ("${options.comment}") on ${instanceId} had no result within ${boundSeconds} s`,
                exitCodes.couldNotRun,
            );
        }
    }
}

/** The host's stderr, for a message: its last lines, where the reason is. */
function hostStderr(invocation: GetCommandInvocationCommandOutput): string {
    const text = (invocation.StandardErrorContent ?? "").trim();
    return text === "" ? "" : `; the host said: ${text.split("\n").slice(-5).join(" | ")}`;
}

/** Sends every part of every delivered file, concurrently; each must end Success. */
export async function deliver(
    ssm: SSMClient,
    delivery: Delivery,
    options: Omit<CommandOptions, "script" | "comment">,
    onProgress: Progress,
): Promise<void> {
    const total = delivery.partScripts.length;
    const what = delivery.files.map((f) => f.name).join(" and ");
    onProgress(`delivering ${what} in ${total} SendCommand part(s), no S3`);
    await Promise.all(
        delivery.partScripts.map(async (script, i) => {
            const invocation = await runCommand(ssm, {
                ...options,
                script,
                comment: `rolepair verify: part ${i + 1}/${total}`,
            });
            if (invocation.Status !== "Success") {
                throw new RunnerError(
                    `delivering part ${i + 1}/${total} (${delivery.partFiles[i]}) to ${options.instanceId} ended ${invocation.Status} (${invocation.StatusDetails ?? "no details"}, exit ${invocation.ResponseCode})${hostStderr(invocation)}`,
                    exitCodes.couldNotRun,
                );
            }
        }),
    );
}

export interface Outcome {
    exitCode: number;
    /** Verify's report, when one arrived whole. */
    report?: ProofReport;
    /** Lines for stderr: the host's stderr and what the runner concluded. */
    messages: string[];
}

function isReport(value: unknown): value is ProofReport {
    const r = value as Partial<ProofReport> | null;
    return (
        typeof r === "object" &&
        r !== null &&
        typeof r.ok === "boolean" &&
        Array.isArray(r.steps) &&
        Array.isArray(r.services) &&
        Array.isArray(r.isolation)
    );
}

/**
 * Reads the run command's end: verify's exit code and report, or why there is none. A report
 * arrives whole only with the wrapper's end marker after it; without it, SSM cut the output.
 */
export function interpret(
    invocation: GetCommandInvocationCommandOutput,
    options: { instanceId: string; commandTimeoutSeconds: number },
): Outcome {
    const { instanceId } = options;
    const status = invocation.Status;
    const code = invocation.ResponseCode ?? -1;
    const stdout = invocation.StandardOutputContent ?? "";
    const stderr = (invocation.StandardErrorContent ?? "").trimEnd();
    const messages = stderr === "" ? [] : stderr.split("\n").map((line) => `host: ${line}`);

    if (status === "TimedOut")
        throw new RunnerError(
            `verify did not finish on ${instanceId} within --command-timeout ${options.commandTimeoutSeconds} s (status TimedOut${invocation.StatusDetails ? `, ${invocation.StatusDetails}` : ""})${hostStderr(invocation)}`,
            exitCodes.couldNotRun,
        );
    if (status !== "Success" && status !== "Failed")
        throw new RunnerError(
            `the command running verify on ${instanceId} ended ${status} (${invocation.StatusDetails ?? "no details"})${hostStderr(invocation)}`,
            exitCodes.couldNotRun,
        );
    if (code === hostExitCodes.checksumMismatch)
        throw new RunnerError(
            `the verify bundle arrived corrupted on ${instanceId}: its sha256 did not match, so the host refused to run it${hostStderr(invocation)}`,
            exitCodes.couldNotRun,
        );
    if (
        code === hostExitCodes.notDelivered ||
        code === hostExitCodes.noNode ||
        code === hostExitCodes.profileSyncFailed ||
        code === hostExitCodes.stageRefused
    )
        throw new RunnerError(
            `verify could not start on ${instanceId} (exit ${code})${hostStderr(invocation)}`,
            exitCodes.couldNotRun,
        );

    const end = stdout.lastIndexOf(endMarker);
    if (end < 0) {
        // No end marker: the output was cut (SSM keeps the first 24,000 characters) or the
        // script failed before the wrapper ran.
        const cut = stdout.trimStart().startsWith("{");
        const reason = cut
            ? `verify's report did not arrive whole: SSM returned ${stdout.length} characters of stdout without the end marker (GetCommandInvocation keeps only the first ${ssmStdoutLimit} characters), so it was truncated`
            : `the command on ${instanceId} ended ${status} with exit ${code} before verify printed a report`;
        messages.push(`ssm-runner: ${reason}${hostStderr(invocation)}`);
        return {
            exitCode:
                code === exitCodes.failed || code === exitCodes.usage
                    ? code
                    : exitCodes.couldNotRun,
            messages,
        };
    }
    const body = stdout.slice(0, end).trim();
    if (code < exitCodes.ok || code > exitCodes.couldNotRun) {
        messages.push(`ssm-runner: verify's wrapper on ${instanceId} ended with exit ${code}`);
        return { exitCode: exitCodes.couldNotRun, messages };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        // A usage error (exit 2) prints text, not a report.
        messages.push(...body.split("\n").map((line) => `host: ${line}`));
        return { exitCode: code === exitCodes.ok ? exitCodes.couldNotRun : code, messages };
    }
    if (!isReport(parsed)) {
        messages.push(
            `ssm-runner: verify printed JSON that is not a report: ${body.slice(0, 300)}`,
        );
        return { exitCode: exitCodes.couldNotRun, messages };
    }
    if (!parsed.ok)
        messages.push(
            `ssm-runner: the proof failed on ${instanceId} (exit ${code}): ${describeFailure(parsed)}`,
        );
    return { exitCode: code, report: parsed, messages };
}
