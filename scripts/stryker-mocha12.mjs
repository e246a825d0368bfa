// Lets StrykerJS 9's mocha runner load mocha 12 (npm run mutate preloads it with NODE_OPTIONS=--import).
// The runner requires mocha's lib/cli/run-helpers, options and collect-files without an extension;
// mocha 12 renamed them *.cjs, so Node cannot find them. Stryker 10's runner knows the new names but
// Stryker 10 needs Node 22, and this project supports Node 20. Remove this file (and the
// NODE_OPTIONS of "mutate") when the project moves to Stryker 10.
import Module from "module";

const resolve = Module._resolveFilename;
const mochaCliFile = /[\\/]mocha[\\/]lib[\\/]cli[\\/][\w-]+$/;

Module._resolveFilename = function (request, ...rest) {
    if (mochaCliFile.test(request)) {
        try {
            return resolve.call(this, `${request}.cjs`, ...rest);
        } catch {
            // Not renamed: resolve it as asked.
        }
    }
    return resolve.call(this, request, ...rest);
};
