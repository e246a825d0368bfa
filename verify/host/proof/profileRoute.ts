// The profile route: apps on the host use AWS_PROFILE=<name>, so the proof checks the host's AWS
// config holds the profile deployed and that it yields the service's role and its declared
// actions. Apart because it has its own credentials source (fromIni) and its own three steps.
import { callerIdentity, sessionArnPrefix } from "./steps";
import type { VerifyTarget } from "../../../contract/plan";
import type { ServiceReport, StepResult } from "../../../contract/report";
import {
    type AwsTarget,
    requestHandlerConfig,
    requestPoolPlugin,
    s3Client,
    stsClient,
} from "./clients";
import { checkProfileConfig, readHostConfig } from "./profileConfig";
import type { Recorder } from "./recorder";
import { routeRoundTrip } from "./s3RoundTrip";
import type { ServiceProof } from "./serviceProof";

/**
 * Apps on the host use AWS_PROFILE=<name>; prove that route needs no code change. Its identity
 * and its round trip run at once (the profile's own AssumeRole is made once, by the first).
 */
export async function proveProfileRoute(
    rec: Recorder,
    aws: AwsTarget,
    target: VerifyTarget,
    service: ServiceReport,
    proof: ServiceProof,
): Promise<StepResult[]> {
    const profile = target.profile as string;
    // The host's AWS config file, read locally at the start: no request.
    const config = await rec.run("profile-config", async () =>
        checkProfileConfig(target, proof.hostConfig ?? readHostConfig(), proof.wholeConfig),
    );
    if (!config.ok) return [config];
    // Loaded here, not at start-up: most plans have no profile, and the module costs start-up time.
    const { fromIni } = await import("@aws-sdk/credential-provider-ini");
    const credentials = fromIni({
        profile,
        clientConfig: { region: aws.region, requestHandler: requestHandlerConfig(aws) },
        clientPlugins: aws.transport ? [requestPoolPlugin(aws.transport)] : [],
    });
    const [identity, roundTrip] = await Promise.all([
        rec.run("profile-identity", async () => {
            service.identities.profile = await callerIdentity(stsClient(aws, credentials));
            return service.identities.profile.startsWith(sessionArnPrefix(target.roleArn))
                ? { ok: true, observed: service.identities.profile }
                : {
                      ok: false,
                      observed: service.identities.profile,
                      diagnosis: `profile ${profile} of service ${target.name} does not assume ${target.roleArn}: check its role_arn in the AWS config file.`,
                  };
        }),
        rec.run("profile-round-trip", () =>
            routeRoundTrip(s3Client(aws, credentials), target, `profile ${profile}`),
        ),
    ]);
    return [config, identity, roundTrip];
}
