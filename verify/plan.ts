// The proof's plan: which services to prove on this host. The component writes it as JSON on the
// verify command's stdin (`--targets -`); --bucket/--role-arn make a plan of one target.
import type { ObjectAction } from "../components/validation";

/** One service to prove: its role, the bucket it must reach, and how it is reached. */
export interface VerifyTarget {
    /** Service name: 1 to 32 of [a-z0-9-]; names the service in the report. */
    name: string;
    roleArn: string;
    /** The one bucket this service's role is declared to reach. */
    bucket: string;
    externalId?: string;
    /** Object actions the role was granted; the round trip exercises only these. Default: all of get, put, delete. */
    objectActions?: ObjectAction[];
    /** AWS config profile on the host that assumes this role; proves the AWS_PROFILE route. */
    profile?: string;
}
