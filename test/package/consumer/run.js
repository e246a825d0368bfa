// Runs the compiled program (bin/index.js) under the repository's Pulumi mocks, transpiled beside
// this file as mocks.js; both load this project's own @pulumi/pulumi. Prints what registered (for
// commands: what they run, their triggers, the file they copy; never their connection, which holds
// a key), and which @pulumi/pulumi the program and the package each load: they must be one copy.
const { runMocked } = require("./mocks");

runMocked("test", {}, async () => require("./bin/index.js")).then(
    (run) => {
        const summary = {
            pulumiFromProgram: require.resolve("@pulumi/pulumi"),
            pulumiFromPackage: require.resolve("@pulumi/pulumi", {
                paths: [require.resolve("rolepair")],
            }),
            resources: run.resources.map((r) => ({
                type: r.type,
                name: r.name,
                parentType: r.parentType,
                create: r.inputs.create,
                triggers: r.inputs.triggers,
                sourcePath: r.wireInputs.source?.path,
            })),
        };
        process.stdout.write(JSON.stringify(summary));
        process.exit(0);
    },
    (error) => {
        console.error(error);
        process.exit(1);
    },
);
