// Role chaining: AssumeRole called with an assumed-role session's credentials (on EC2, the instance
// profile's) gives a session AWS caps at one hour, whatever the target role's MaxSessionDuration;
// AWS answers ValidationError above it. verify checks it up front, once it knows its own identity.
import { UsageError } from "../../../contract/usageError";

/**
 * AWS caps a session obtained by role chaining (AssumeRole called with an assumed-role session's
 * credentials, such as an EC2 instance profile's) at one hour, whatever the role's MaxSessionDuration.
 */
export const roleChainingMaxSeconds = 3600;

/**
 * Refuses --duration-seconds above one hour when the caller is itself an assumed-role session:
 * AssumeRole from it is role chaining, which AWS caps at 3600 s (it would answer ValidationError).
 */
export function checkRoleChaining(baseIdentityArn: string, durationSeconds: number): void {
    if (durationSeconds <= roleChainingMaxSeconds) return;
    if (!/^arn:aws[\w-]*:sts::\d{12}:assumed-role\//.test(baseIdentityArn)) return;
    throw new UsageError(
        "--duration-seconds",
        `got ${durationSeconds}; this machine's own identity ${baseIdentityArn} is an assumed-role session (on EC2, the instance profile), ` +
            `so AssumeRole from it is role chaining, which AWS caps at ${roleChainingMaxSeconds} s (1 hour) whatever the role's ` +
            `MaxSessionDuration; expected ${roleChainingMaxSeconds} or less`,
    );
}
