// Run inside the agent test's network namespace (`ip netns exec`): moto on the namespace's
// 127.0.0.1, the host role and one role and bucket per service in it, and the IMDSv2 double on
// 169.254.169.254:80 serving the host role's session. A fault proxy in front of moto is the
// agent's STS (stdin lines "sts down" / "sts up" fail it or not), and with `--expose ADDRESS` moto
// is also forwarded from ADDRESS (for the "container" namespace, whose 127.0.0.1 is its own).
// A line "profile PATH SERVICE USER,..." puts that service's profile (its role, with `agent` for
// those users) under PATH in moto's SSM and lets the host role read it, for the profile sync;
// "unprofile PATH SERVICE" deletes it (a service removed on day 2).
// Prints one JSON line, then serves until its stdin closes.
import * as net from "net";
import * as readline from "readline";

import { noFaults, startFaultProxy } from "../../lab/faultProxy";
import { createServiceRoles } from "../../lab/agentRoles";
import { deleteProfile, grantProfilesRead, putProfile } from "../../lab/profileHost";
import { startImds } from "../../lab/imds";
import { region, startMoto } from "../../lab/moto";
import { createHost } from "../../lab/scenario";

export interface NsLab {
    motoEndpoint: string;
    /** moto as the "container" namespace reaches it (with --expose). */
    exposedEndpoint?: string;
    /** The fault proxy in front of moto: the agent's AWS_ENDPOINT_URL. */
    stsEndpoint: string;
    hostSessionArn: string;
    services: { name: string; roleArn: string; bucket: string }[];
    secrets: string[];
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const at = args.indexOf("--expose");
    const expose = at >= 0 ? args.splice(at, 2)[1] : undefined;
    const names = args;
    const moto = await startMoto();
    const host = await createHost(moto, `agent${process.pid}`);
    const services = await createServiceRoles(moto, host, names);
    const imds = await startImds(host.hostRoleName, host.hostCredentials, region, {
        host: "169.254.169.254",
        port: 80,
    });
    const proxy = await startFaultProxy(moto.endpoint);
    let forward: net.Server | undefined;
    let exposedEndpoint: string | undefined;
    if (expose !== undefined) {
        const motoPort = Number(new URL(moto.endpoint).port);
        const server = net.createServer((client) => {
            const upstream = net.connect(motoPort, "127.0.0.1");
            client.pipe(upstream).pipe(client);
            client.on("error", () => upstream.destroy());
            upstream.on("error", () => client.destroy());
        });
        forward = server;
        await new Promise<void>((resolve) => server.listen(0, expose, resolve));
        exposedEndpoint = `http://${expose}:${(server.address() as net.AddressInfo).port}`;
    }
    const lab: NsLab = {
        motoEndpoint: moto.endpoint,
        exposedEndpoint,
        stsEndpoint: proxy.endpoint,
        hostSessionArn: host.hostSessionArn,
        services,
        secrets: [moto.admin.secretAccessKey, ...host.secrets],
    };
    process.stdout.write(`${JSON.stringify(lab)}\n`);
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
        if (line === "sts down") {
            proxy.reset(
                { ...noFaults, faultRate: 1, kinds: ["server-error"], maxConsecutive: Infinity },
                1,
            );
        } else if (line === "sts up") {
            proxy.reset(noFaults, 1);
        } else if (line.startsWith("profile ")) {
            const [, profilesPath, name, users] = line.split(" ");
            const service = services.find((s) => s.name === name);
            if (service === undefined) throw new Error(`nsLab: no service ${name}`);
            void grantProfilesRead(moto, host.hostRoleName)
                .then(() =>
                    putProfile(moto, profilesPath, {
                        name,
                        roleArn: service.roleArn,
                        region,
                        externalId: service.externalId,
                        agent: { users: users.split(",").filter(Boolean) },
                    }),
                )
                .then(
                    () => process.stdout.write(`ok ${line}\n`),
                    (error: Error) => process.stdout.write(`failed ${line}: ${error.message}\n`),
                );
            return;
        }
        if (line.startsWith("unprofile ")) {
            const [, profilesPath, name] = line.split(" ");
            void deleteProfile(moto, profilesPath, name).then(
                () => process.stdout.write(`ok ${line}\n`),
                (error: Error) => process.stdout.write(`failed ${line}: ${error.message}\n`),
            );
            return;
        }
        process.stdout.write(`ok ${line}\n`);
    });
    lines.on("close", () => {
        forward?.close();
        void Promise.all([imds.stop(), proxy.stop(), moto.stop()]).then(() => process.exit(0));
    });
}

main().catch((error) => {
    process.stderr.write(`nsLab: ${(error as Error).stack}\n`);
    process.exit(1);
});
