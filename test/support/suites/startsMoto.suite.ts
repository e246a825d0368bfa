// A tiny suite for test/emulator/cleanup.test.ts (not matched by the *.test.ts globs): starts moto,
// writes its pid and temp dir to $ROLEPAIR_REPORT, then waits until this mocha process is signalled.
import * as fs from "fs";

import { startMoto } from "../moto";

describe("starts moto and waits", function () {
    this.timeout(0);
    it("waits for a signal", async () => {
        const moto = await startMoto();
        fs.writeFileSync(
            process.env.ROLEPAIR_REPORT as string,
            JSON.stringify({ pid: moto.pid, tempDir: moto.tempDir }),
        );
        await new Promise(() => setInterval(() => undefined, 1_000));
    });
});
