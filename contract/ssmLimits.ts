// The Systems Manager limits the runner works within, with where each comes from.
//
// Output (documented; the runner depends on it):
// - GetCommandInvocation returns "the first 24,000 characters written by the plugin to stdout"
//   (StandardOutputContent) and "the first 8,000 characters written by the plugin to stderr"
//   (StandardErrorContent): the SSM API reference and the model docs shipped in
//   @aws-sdk/client-ssm (dist-types/models/models_0.d.ts, GetCommandInvocationResponse). The
//   rest only reaches S3 or CloudWatch Logs, which this runner does not use (no S3 permission).
//
// Input (what is and is not documented):
// - The SendCommand API reference types Parameters as a map of string to string list and gives
//   no length constraint for a parameter value; AWS-RunShellScript declares `commands` as a
//   StringList with no maxChars. We found no documented per-request size for SendCommand.
// - The one documented size for an SSM document is 64 KB ("The size limit of a document is 64
//   KB", MaxDocumentSizeExceeded in the same API reference). We keep every SendCommand's
//   parameters under 48,000 characters so that a command, parameters included, stays inside that
//   documented ceiling; the bundle then goes in several commands (5 for the 470 KB bundle, 146 KB
//   gzipped, 196,000 base64 characters), sent concurrently, each writing one numbered part.
// - Comment is at most 100 characters (SendCommand API reference).
// - executionTimeout runs at most 172800 seconds (48 hours): the SSM agent's hard cap
//   (amazon-ssm-agent agent/plugins/pluginutil, as pointed out in boto/boto3 issue #654);
//   SendCommand's TimeoutSeconds is the delivery timeout ("If this time is reached and the
//   command hasn't already started running, it won't run", @aws-sdk/client-ssm model docs).

/** StandardOutputContent keeps the first 24,000 characters of stdout. */
export const ssmStdoutLimit = 24_000;
/** StandardErrorContent keeps the first 8,000 characters of stderr. */
export const ssmStderrLimit = 8_000;
/** Our ceiling for one SendCommand's parameters (see the header): under the 64 KB document size. */
export const maxParameterCharsPerCommand = 48_000;
/** Characters of base64 payload per delivery command, leaving room for the script around it. */
export const chunkPayloadChars = 46_000;
/** SendCommand's Comment: at most 100 characters. */
export const maxCommentChars = 100;
/** executionTimeout: the agent stops a command after 172800 seconds (48 hours) at most. */
export const maxExecutionTimeoutSeconds = 172_800;

/** The wrapper's last line of stdout: the runner's sign that the report arrived whole. */
export const endMarker = "rolepair-ssm: end of report";
