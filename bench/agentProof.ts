// The proof with the agent on beside the proof without it (the "within 1.3×"): the same
// two services of one host against moto, proven once through the host role (IMDSv2 double, the
// agent off) and once through the running agent (verify as a UID the IMDS lock refuses: its
// metadata endpoint a closed port). The agent has been running, as on a host, so its cache is
// warm after the warm-up runs; each run is verify's wall time, process start to exit.
import type { VerifyTarget } from "../contract/plan";
import type { ProofReport } from "../contract/report";
import { startImds } from "../lab/imds";
import { createMatrixScenario } from "../lab/matrixScenario";
import { region, startMoto } from "../lab/moto";
import { freePort } from "../lab/ports";
import { hostEnv, removeHostHomes, runVerify } from "../lab/verifyProcess";
import { agentNode, nodeFlags } from "./agent";
import { startBenchAgent } from "./agentProcess";
import { runsEach } from "./settings";
import { median, timed } from "./stats";
import { type Figure, ms } from "./table";

async function timedProof(args: string[], env: NodeJS.ProcessEnv, plan: VerifyTarget[]) {
    const { ms: took, value: r } = await timed(() =>
        runVerify([...args, "--propagation-timeout", "1", "--json"], env, JSON.stringify(plan)),
    );
    const report = r.stdout ? (JSON.parse(r.stdout) as ProofReport) : undefined;
    if (report?.ok !== true) throw new Error(`the proof failed (exit ${r.code}): ${r.stderr}`);
    const agentRoute = plan.every((t) => t.agent === true);
    if (agentRoute && !report.services.every((s) => s.agent?.routeProven === true))
        throw new Error("the proof with the agent on did not prove the agent route");
    return took;
}

export async function measureProofWithAgent(): Promise<Figure[]> {
    const moto = await startMoto();
    try {
        const scenario = await createMatrixScenario(moto, "correct");
        const hostImds = await startImds(scenario.hostRoleName, scenario.hostCredentials, region);
        const services = scenario.services.slice(0, 2);
        const agentEnv = hostEnv({
            imdsEndpoint: hostImds.endpoint,
            awsEndpoint: moto.endpoint,
            region,
        });
        const agent = await startBenchAgent(services, region, agentEnv, nodeFlags, agentNode);
        try {
            const off = {
                args: ["--targets", "-"],
                env: hostEnv({
                    imdsEndpoint: hostImds.endpoint,
                    awsEndpoint: moto.endpoint,
                    region,
                }),
                plan: scenario.plan().slice(0, 2),
            };
            const on = {
                args: [
                    "--targets",
                    "-",
                    "--agent-url",
                    agent.url,
                    "--agent-token-dir",
                    agent.tokenDir,
                ],
                env: hostEnv({
                    imdsEndpoint: `http://127.0.0.1:${await freePort()}`,
                    awsEndpoint: moto.endpoint,
                    region,
                }),
                plan: scenario.plan(() => ({ agent: true })).slice(0, 2),
            };
            const samples = { off: [] as number[], on: [] as number[] };
            for (let i = -1; i < runsEach; i++) {
                for (const [name, c] of [
                    ["off", off],
                    ["on", on],
                ] as const) {
                    const took = await timedProof(c.args, c.env, c.plan);
                    if (i >= 0) samples[name].push(took);
                }
            }
            const offMs = median(samples.off);
            const onMs = median(samples.on);
            return [
                {
                    what: `proof of 2 services, agent off (host role), median of ${runsEach}`,
                    value: ms(offMs),
                },
                {
                    what: `proof of 2 services, agent on (through the agent), median of ${runsEach}`,
                    value: ms(onMs),
                },
                {
                    what: "proof agent on / agent off",
                    value: `${(onMs / offMs).toFixed(2)}×`,
                    target: "≤ 1.3×",
                },
            ];
        } finally {
            await agent.stop();
            await hostImds.stop();
        }
    } finally {
        await moto.stop();
        removeHostHomes();
    }
}
