// The operator's side of the suites that run a tool beside `pulumi up` (dist/ssm-runner.js,
// dist/prove.js) against the SSM double: the operator's own credentials, static, fake and never to
// be printed, and an environment in which the tool reaches SSM only at the double and has no config
// file, credentials file or instance metadata to find other credentials in.
import { randomBytes } from "crypto";
import * as path from "path";

import { region } from "../../lab/moto";

/** The instance the SSM double stands for. */
export const doubledInstanceId = "i-0123456789abcdef0";

/** A bundled operator tool, as `npm run build` writes it. */
export const operatorTool = (file: string) => path.join(__dirname, "..", "..", "dist", file);

export interface OperatorKey {
    id: string;
    secret: string;
}

/** Fresh static credentials for one suite; the leak checks look for `secret` in every output. */
export function operatorKey(): OperatorKey {
    return {
        id: `AKIAOPERATOR${randomBytes(4).toString("hex").toUpperCase()}`,
        secret: randomBytes(30).toString("base64"),
    };
}

/** The tool's environment: `home` holds nothing, so only `key` and the double are reachable. */
export function operatorEnv(
    key: OperatorKey,
    home: string,
    ssmEndpoint: string,
): NodeJS.ProcessEnv {
    return {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: key.id,
        AWS_SECRET_ACCESS_KEY: key.secret,
        AWS_REGION: region,
        AWS_ENDPOINT_URL_SSM: ssmEndpoint,
        AWS_CONFIG_FILE: path.join(home, "none"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
}
