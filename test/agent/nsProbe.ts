// A probe inside a namespace (and as a UID) the test process cannot be in: reads JSON lines
// {id, host, port, chunks, gapMs, timeoutMs} from stdin, sends the chunks over one TCP connection
// (gapMs apart), and answers {id, text, error} with what came back before the peer closed or the
// timeout passed ("timeout" when nothing connected or answered).
import * as net from "net";
import * as readline from "readline";

export interface ProbeRequest {
    host: string;
    port: number;
    chunks: string[];
    gapMs?: number;
    timeoutMs?: number;
}

export interface ProbeAnswer {
    text: string;
    error?: string;
}

function probe(request: ProbeRequest): Promise<ProbeAnswer> {
    return new Promise((resolve) => {
        const socket = net.connect(request.port, request.host);
        let text = "";
        let error: string | undefined;
        const timer = setTimeout(() => {
            error = "timeout";
            socket.destroy();
        }, request.timeoutMs ?? 3000);
        socket.on("connect", () => {
            let i = 0;
            const next = () => {
                if (i >= request.chunks.length || socket.destroyed) return;
                socket.write(request.chunks[i++]);
                if (i < request.chunks.length) setTimeout(next, request.gapMs ?? 0);
            };
            next();
        });
        socket.on("data", (c) => (text += c.toString()));
        socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
        socket.on("close", () => {
            clearTimeout(timer);
            resolve(error === undefined ? { text } : { text, error });
        });
    });
}

if (require.main === module) {
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
        const { id, ...request } = JSON.parse(line) as ProbeRequest & { id: number };
        void probe(request).then((answer) =>
            process.stdout.write(`${JSON.stringify({ id, ...answer })}\n`),
        );
    });
    lines.on("close", () => process.exit(0));
    process.stdout.write("ready\n");
}
