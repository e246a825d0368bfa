// A preload (node --require dist/bench/trace.js dist/verify.js …) that timestamps where a verify
// run spends its time: loading the bundle, and every HTTP request it makes (to the IMDS double and
// to moto), in ms since the process started. Written as JSON to BENCH_TRACE_FILE on exit.
import * as diagnostics from "diagnostics_channel";
import * as fs from "fs";
import type { ClientRequest, IncomingMessage } from "http";
import Module from "module";
import { performance } from "perf_hooks";

export interface TraceRequest {
    host: string;
    method: string;
    path: string;
    startMs: number;
    endMs: number;
    status?: number;
}

export interface Trace {
    preloadMs: number;
    bundleLoadStartMs: number;
    bundleLoadEndMs: number;
    requests: TraceRequest[];
    exitMs: number;
}

const now = () => performance.now();
const trace: Trace = {
    preloadMs: now(),
    bundleLoadStartMs: 0,
    bundleLoadEndMs: 0,
    requests: [],
    exitMs: 0,
};
const open = new Map<ClientRequest, TraceRequest>();

// The bundle's own evaluation (which runs the CLI's synchronous start up to its first await).
const extensions = (Module as unknown as { _extensions: Record<string, (...a: unknown[]) => void> })
    ._extensions;
const loadJs = extensions[".js"];
extensions[".js"] = function (module: unknown, filename: unknown) {
    const bundle = process.env.BENCH_TRACE_BUNDLE ?? "verify.js";
    const mine = typeof filename === "string" && filename.endsWith(bundle);
    if (mine) trace.bundleLoadStartMs = now();
    try {
        loadJs.call(this, module, filename);
    } finally {
        if (mine) trace.bundleLoadEndMs = now();
    }
};

diagnostics.subscribe("http.client.request.start", (message) => {
    const { request } = message as { request: ClientRequest };
    open.set(request, {
        host: String(request.getHeader("host") ?? request.host),
        method: request.method,
        path: request.path.split("?")[0],
        startMs: now(),
        endMs: 0,
    });
});
diagnostics.subscribe("http.client.response.finish", (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const entry = open.get(request);
    if (!entry) return;
    // "finish" fires when headers arrive; the body is read right after, so wait for its end.
    entry.status = response.statusCode;
    response.once("end", () => {
        entry.endMs = now();
        trace.requests.push(entry);
        open.delete(request);
    });
});

process.on("exit", () => {
    trace.exitMs = now();
    const file = process.env.BENCH_TRACE_FILE;
    if (file) fs.writeFileSync(file, JSON.stringify(trace));
});
