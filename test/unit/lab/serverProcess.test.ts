// A fixture's server is up only when the port answers from that server's own process group: a
// port another process holds (a parallel suite's server took it first) is refused and retried.
import * as assert from "assert";
import * as net from "net";

import { makeTempDir, spawnGroup, stopGroup } from "../../../lab/cleanup";
import { listenerProcessGroup } from "../../../lab/listenerOwner";
import { freePort } from "../../../lab/ports";
import { onFreePort, PortTakenError, serverListening } from "../../../lab/serverProcess";

function listenHere(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve(server));
    });
}

function nodeListening(port: number) {
    const script = `require("net").createServer().listen(${port}, "127.0.0.1")`;
    return spawnGroup(process.execPath, ["-e", script], { stdio: ["ignore", "ignore", "pipe"] });
}

describe("lab servers and their ports", function () {
    this.timeout(20_000);

    it("names the listener's process group, and none for a closed port", async () => {
        const port = await freePort();
        assert.strictEqual(listenerProcessGroup(port), undefined);
        const child = nodeListening(port);
        const stop = await serverListening(
            "node",
            child,
            port,
            10_000,
            makeTempDir("rolepair-lab-"),
        );
        try {
            assert.strictEqual(listenerProcessGroup(port), child.pid);
        } finally {
            await stop();
        }
    });

    it("refuses a port that answers from another process, and stops its own server", async () => {
        const port = await freePort();
        const other = await listenHere(port);
        const child = nodeListening(port); // dies on EADDRINUSE; the port answers all the same
        try {
            await assert.rejects(
                serverListening("node", child, port, 10_000, makeTempDir("rolepair-lab-")),
                (error: Error) =>
                    error instanceof PortTakenError &&
                    error.message.includes(`127.0.0.1:${port} is held by process group`),
            );
            assert.ok(
                child.exitCode !== null || child.signalCode !== null,
                "the child was left running",
            );
        } finally {
            other.close();
            await stopGroup(child);
        }
    });

    it("starts again on another port when the first was taken, and gives up after the last", async () => {
        const ports: number[] = [];
        const started = await onFreePort(async (port) => {
            ports.push(port);
            if (ports.length === 1) throw new PortTakenError("taken");
            return port;
        });
        assert.strictEqual(ports.length, 2);
        assert.strictEqual(started, ports[1]);

        let tries = 0;
        await assert.rejects(
            onFreePort(async () => {
                tries++;
                throw new PortTakenError("taken");
            }, 3),
            PortTakenError,
        );
        assert.strictEqual(tries, 3);
        await assert.rejects(
            onFreePort(async () => {
                throw new Error("bad config");
            }),
            /bad config/,
        );
    });
});
