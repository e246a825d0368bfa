// Holds many TCP connections open at once, as a client that wants to keep the agent's sockets from
// the others would: `connectionHold.ts HOST PORT COUNT HOLD_MS [LOCAL_ADDRESS...]` opens COUNT
// connections (spread over the local addresses, if given), sends nothing, keeps those that connect
// for HOLD_MS, then prints {"connected": n, "refused": n, "other": n} and exits.
import * as net from "net";

const [host, port, count, holdMs, ...localAddresses] = process.argv.slice(2);
const tally = { connected: 0, refused: 0, other: 0 };
const sockets: net.Socket[] = [];
let settled = 0;
for (let i = 0; i < Number(count); i++) {
    const localAddress =
        localAddresses.length > 0 ? localAddresses[i % localAddresses.length] : undefined;
    const socket = net.connect({ host, port: Number(port), localAddress });
    sockets.push(socket);
    const settle = (outcome: keyof typeof tally) => {
        tally[outcome]++;
        if (++settled === Number(count)) {
            setTimeout(() => {
                process.stdout.write(`${JSON.stringify(tally)}\n`);
                for (const s of sockets) s.destroy();
                process.exit(0);
            }, Number(holdMs));
        }
    };
    let connected = false;
    socket.once("connect", () => {
        connected = true;
        settle("connected");
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
        // A connection the agent closes after it was counted as connected is not counted again.
        if (connected) return;
        settle(e.code === "ECONNREFUSED" || e.code === "ECONNRESET" ? "refused" : "other");
    });
}
