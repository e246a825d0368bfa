// How the bench prints: one markdown table row per figure, the machine it ran on first.
import * as os from "os";

export interface Figure {
    what: string;
    value: string;
    target?: string;
}

export const ms = (n: number) => `${n.toFixed(0)} ms`;

export function printMachine(): void {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const load = os.loadavg()[0].toFixed(2);
    console.log(
        `\nMachine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
            `Node ${process.version}, ${os.platform()} ${os.release()}, ${new Date().toISOString()}, load ${load}\n`,
    );
}

export function printTable(rows: Figure[]): void {
    console.log("| figure | measured | target |");
    console.log("| --- | --- | --- |");
    for (const fig of rows) console.log(`| ${fig.what} | ${fig.value} | ${fig.target ?? ""} |`);
}
