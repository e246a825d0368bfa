// A test double of the Systems Manager API and of the SSM agent on one instance.
//
// Why a double: Run Command needs AWS Systems Manager and an agent registered with it, neither of
// which can run here (moto does not execute commands). This HTTP server on a free loopback port
// speaks the AWS JSON 1.1 protocol the SDK sends (POST /, X-Amz-Target: AmazonSSM.<Operation>,
// errors as {"__type": ...}) for the three operations the runner uses, and plays the agent: it
// really runs each AWS-RunShellScript `commands` script with bash, in a temporary working
// directory, with the host's environment (hostEnv(): credentials only from the IMDSv2 double,
// AWS through AWS_ENDPOINT_URL), ROLEPAIR_HOST_HOME set to that host's home so the runner's
// /home/ec2-user paths land in a temporary directory, and ROLEPAIR_HOST_ROOT (the caller's, or a
// temporary directory of the double's) standing in for / (the stage under /var/lib/rolepair).
//
// Like the real service it answers InvocationDoesNotExist right after SendCommand, keeps only the
// first 24,000 characters of stdout and 8,000 of stderr, and ends a command TimedOut after its
// executionTimeout. On request it also delays registration, fails delivery commands, times out
// the command that runs verify, or corrupts the bundle in transit.
import { ChildProcess } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

import { ssmStderrLimit, ssmStdoutLimit } from "../contract/ssmLimits";
import { makeTempDir, removeTempDir, spawnGroup, stopGroup } from "./cleanup";

export interface SsmDoubleOptions {
    instanceId: string;
    /** The environment of a process on the host (hostEnv()); HOME plays /home/ec2-user. */
    hostEnv: NodeJS.ProcessEnv;
    /** DescribeInstanceInformation shows the instance Online from poll N + 1. Default 0; Infinity: never. */
    onlineAfterPolls?: number;
    /** GetCommandInvocation answers InvocationDoesNotExist to the first N polls of each command. Default 1. */
    missingInvocationPolls?: number;
    /** Characters of stdout kept. Default: SSM's documented 24,000. */
    stdoutLimit?: number;
    /** Characters of stderr kept. Default: SSM's documented 8,000. */
    stderrLimit?: number;
    /** Change one base64 character of the first bundle part before running it. */
    corruptDelivery?: boolean;
    /** End every delivery command Failed, as a full disk would. */
    failDelivery?: boolean;
    /** End the command that runs verify TimedOut, as an executionTimeout would. */
    timeOutRun?: boolean;
}

/** What the runner sent, as the double received it. */
export interface SentCommand {
    commandId: string;
    comment: string;
    documentName: string;
    parameters: Record<string, string[]>;
    timeoutSeconds?: number;
}

interface Invocation {
    sent: SentCommand;
    status: "InProgress" | "Success" | "Failed" | "TimedOut";
    responseCode: number;
    stdout: string;
    stderr: string;
    polls: number;
}

export interface SsmDouble {
    endpoint: string;
    /** The host's stand-in for / (ROLEPAIR_HOST_ROOT) the scripts run with. */
    hostRoot: string;
    /** Every X-Amz-Target received, in order. */
    targets: string[];
    sent: SentCommand[];
    describePolls: number;
    /** InvocationDoesNotExist answers given. */
    missingAnswers: number;
    /** Requests without a SigV4 Authorization header (must stay 0). */
    unsigned: number;
    stop(): Promise<void>;
}

const runComment = "rolepair verify: run";

export async function startSsmDouble(options: SsmDoubleOptions): Promise<SsmDouble> {
    const agentDir = makeTempDir("rolepair-ssm-agent-");
    const hostRoot = options.hostEnv.ROLEPAIR_HOST_ROOT ?? path.join(agentDir, "root");
    fs.mkdirSync(hostRoot, { recursive: true });
    const invocations = new Map<string, Invocation>();
    const children = new Set<ChildProcess>();
    const state = {
        targets: [] as string[],
        sent: [] as SentCommand[],
        describePolls: 0,
        missingAnswers: 0,
        unsigned: 0,
    };
    const stdoutLimit = options.stdoutLimit ?? ssmStdoutLimit;
    const stderrLimit = options.stderrLimit ?? ssmStderrLimit;

    function execute(invocation: Invocation): void {
        const { sent } = invocation;
        let script = (sent.parameters.commands ?? []).join("\n");
        if (options.corruptDelivery && sent.comment.startsWith("rolepair verify: part 1/")) {
            // One character of the payload changes in transit: still valid base64.
            script = script.replace(
                /(printf '%s' '.{20})(.)/s,
                (_, head: string, c: string) => head + (c === "A" ? "B" : "A"),
            );
        }
        if (
            (options.failDelivery && sent.comment.includes(": part ")) ||
            (options.timeOutRun && sent.comment === runComment)
        ) {
            const timedOut = sent.comment === runComment;
            setTimeout(() => {
                invocation.status = timedOut ? "TimedOut" : "Failed";
                invocation.responseCode = timedOut ? -1 : 1;
                invocation.stderr = timedOut ? "" : "printf: write error: No space left on device";
            }, 50);
            return;
        }
        const workDir = fs.mkdtempSync(path.join(agentDir, "cmd-"));
        const scriptPath = path.join(workDir, "_script.sh");
        fs.writeFileSync(scriptPath, script);
        const child = spawnGroup("bash", [scriptPath], {
            cwd: workDir,
            env: {
                ...options.hostEnv,
                ROLEPAIR_HOST_HOME: options.hostEnv.HOME,
                ROLEPAIR_HOST_ROOT: hostRoot,
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        children.add(child);
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d) => (stdout += d));
        child.stderr?.on("data", (d) => (stderr += d));
        const seconds = Number(sent.parameters.executionTimeout?.[0] ?? 3600);
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            void stopGroup(child, 1_000);
        }, seconds * 1000);
        child.on("close", (code) => {
            clearTimeout(timer);
            children.delete(child);
            invocation.status = timedOut ? "TimedOut" : code === 0 ? "Success" : "Failed";
            invocation.responseCode = timedOut ? -1 : (code ?? -1);
            invocation.stdout = stdout.slice(0, stdoutLimit);
            invocation.stderr = stderr.slice(0, stderrLimit);
        });
    }

    type Answer = { status: number; body: unknown };
    const error = (type: string, message: string): Answer => ({
        status: 400,
        body: { __type: type, message },
    });

    function answer(target: string, input: Record<string, unknown>): Answer {
        switch (target) {
            case "AmazonSSM.DescribeInstanceInformation": {
                state.describePolls++;
                const online = state.describePolls > (options.onlineAfterPolls ?? 0);
                const filter = (input.Filters as { Key: string; Values: string[] }[] | undefined)
                    ?.find((f) => f.Key === "InstanceIds")
                    ?.Values?.includes(options.instanceId);
                return {
                    status: 200,
                    body: {
                        InstanceInformationList:
                            online && filter
                                ? [
                                      {
                                          InstanceId: options.instanceId,
                                          PingStatus: "Online",
                                          PlatformType: "Linux",
                                          PlatformName: "Amazon Linux",
                                          AgentVersion: "3.3.0.0",
                                      },
                                  ]
                                : [],
                    },
                };
            }
            case "AmazonSSM.SendCommand": {
                const ids = input.InstanceIds as string[] | undefined;
                if (!ids?.includes(options.instanceId) || ids.length !== 1)
                    return error("InvalidInstanceId", "Instances not in a valid state for account");
                if (input.DocumentName !== "AWS-RunShellScript")
                    return error("InvalidDocument", "the double runs AWS-RunShellScript only");
                const sent: SentCommand = {
                    commandId: randomUUID(),
                    comment: String(input.Comment ?? ""),
                    documentName: String(input.DocumentName),
                    parameters: (input.Parameters ?? {}) as Record<string, string[]>,
                    timeoutSeconds: input.TimeoutSeconds as number | undefined,
                };
                state.sent.push(sent);
                const invocation: Invocation = {
                    sent,
                    status: "InProgress",
                    responseCode: -1,
                    stdout: "",
                    stderr: "",
                    polls: 0,
                };
                invocations.set(sent.commandId, invocation);
                execute(invocation);
                return {
                    status: 200,
                    body: {
                        Command: {
                            CommandId: sent.commandId,
                            DocumentName: sent.documentName,
                            Comment: sent.comment,
                            InstanceIds: [options.instanceId],
                            Status: "Pending",
                        },
                    },
                };
            }
            case "AmazonSSM.GetCommandInvocation": {
                const invocation = invocations.get(String(input.CommandId));
                if (
                    invocation === undefined ||
                    input.InstanceId !== options.instanceId ||
                    ++invocation.polls <= (options.missingInvocationPolls ?? 1)
                ) {
                    state.missingAnswers++;
                    return error("InvocationDoesNotExist", "");
                }
                const done = invocation.status !== "InProgress";
                return {
                    status: 200,
                    body: {
                        CommandId: invocation.sent.commandId,
                        InstanceId: options.instanceId,
                        Comment: invocation.sent.comment,
                        DocumentName: "AWS-RunShellScript",
                        PluginName: "aws:runShellScript",
                        ResponseCode: invocation.responseCode,
                        Status: invocation.status,
                        StatusDetails:
                            invocation.status === "TimedOut"
                                ? "ExecutionTimedOut"
                                : invocation.status,
                        StandardOutputContent: done ? invocation.stdout : "",
                        StandardErrorContent: done ? invocation.stderr : "",
                    },
                };
            }
            default:
                return error("UnknownOperationException", `the double does not answer ${target}`);
        }
    }

    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
            const target = String(req.headers["x-amz-target"] ?? "");
            state.targets.push(target);
            if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256"))
                state.unsigned++;
            let result: Answer;
            try {
                result = answer(target, JSON.parse(body || "{}") as Record<string, unknown>);
            } catch (e) {
                result = error("InternalServerError", (e as Error).message);
            }
            res.writeHead(result.status, {
                "content-type": "application/x-amz-json-1.1",
                "x-amzn-requestid": randomUUID(),
            }).end(JSON.stringify(result.body));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return {
        endpoint: `http://127.0.0.1:${port}`,
        hostRoot,
        get targets() {
            return state.targets;
        },
        get sent() {
            return state.sent;
        },
        get describePolls() {
            return state.describePolls;
        },
        get missingAnswers() {
            return state.missingAnswers;
        },
        get unsigned() {
            return state.unsigned;
        },
        stop: async () => {
            await Promise.all([...children].map((c) => stopGroup(c, 1_000)));
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            removeTempDir(agentDir);
        },
    };
}
