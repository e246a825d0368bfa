// A tiny suite for test/emulator/cleanup.test.ts (not matched by the *.test.ts globs): starts moto,
// writes its pid and temp dir to $ROLEPAIR_REPORT, then waits until this mocha process is signalled.
import * as fs from "fs";

import { startMoto } from "../../../lab/moto";

describe("starts moto and waits", function () {
    this.timeout(0);
    it("waits for a signal", async () => {
        const moto = await startMoto();
        // Written whole, then renamed into place: the test never reads a half-written file.
        const report = process.env.ROLEPAIR_REPORT as string;
        fs.writeFileSync(
            `${report}.part`,
            JSON.stringify({ pid: moto.pid, tempDir: moto.tempDir }),
        );
        fs.renameSync(`${report}.part`, report);
        await new Promise(() => setInterval(() => undefined, 1_000));
    });
});
