// verify's --help text, and the text printed after every usage error. Kept apart from the parser
// so the words a person reads sit in one place; the numbers in it come from options.ts and the
// contract, so the text cannot drift from what the flags accept.
import { commandName } from "../../cli/commandName";
import { exitCodesHelp } from "../../cli/exitCodes";
import { agentCredentialsUrl, agentTokenDirectory } from "../../../contract/credentialAgent";
import {
    concurrencyBounds,
    defaultConcurrency,
    defaultDurationSeconds,
    defaultPropagationTimeoutSeconds,
} from "./options";
import { roleChainingMaxSeconds } from "./roleChaining";

const command = commandName("rolepair-verify", "verify.js");
export const usage = `Usage: ${command} --bucket NAME --role-arn ARN [--external-id X] [--profile P] [options]
       ${command} --targets PATH|- [options]

Proves that this machine's own credentials are denied each service's bucket, that after
sts:AssumeRole into the service's role a round trip limited to its declared object actions
succeeds, and that no service's role can list another service's bucket.

Flags (every valued flag also takes the form --flag=value, needed for a value starting with -):
  --bucket NAME              the one target's bucket (required unless --targets)
  --role-arn ARN             the one target's role (required unless --targets)
  --external-id X            sts:ExternalId sent with AssumeRole (default: none)
  --profile P                AWS config profile that assumes the role: also proves AWS_PROFILE=P
                             (default: none)
  --targets PATH|-           a JSON plan (- = stdin) instead of the four flags above (default: none):
                             [{ "name": "service-a", "roleArn": "arn:...", "bucket": "...",
                                "externalId"?: "...", "objectActions"?: ["s3:GetObject", ...],
                                "profile"?: "...", "agent"?: true }]
  --region R                 default: AWS_REGION, then AWS_DEFAULT_REGION, then the region of
                             --profile in the AWS config file, then this EC2 instance's region
                             (IMDSv2); a usage error if none is known
  --session-name S           default: rolepair-verify-<epoch ms> (with --targets, -<service> added)
  --duration-seconds N       ${defaultDurationSeconds} to 43200 (default ${defaultDurationSeconds}); at most ${roleChainingMaxSeconds} when this
                             machine's own identity is an assumed-role session (an instance profile):
                             that is role chaining, which AWS caps at 1 hour. Checked after
                             GetCallerIdentity; exceeding it is a usage error (exit 2)
  --propagation-timeout S    seconds AssumeRole is retried while IAM propagates, 0 to 3600
                             (default ${defaultPropagationTimeoutSeconds})
  --concurrency N            AWS requests in flight at once, across all services, ${concurrencyBounds.min} to
                             ${concurrencyBounds.max} (default ${defaultConcurrency})
  --agent-url URL            the credential agent's credentials URL, for plans with "agent": true:
                             http:// on a loopback address, 169.254.170.23 or 169.254.170.2
                             (default ${agentCredentialsUrl})
  --agent-token-dir DIR      the directory of the services' token files, an absolute path
                             (default ${agentTokenDirectory})
  --json                     print the report as JSON (default: a checklist)
  --help, -h                 print this text
Every usage error is reported at once.
${exitCodesHelp("the proof holds", "the proof ran and an expectation failed")}`;
