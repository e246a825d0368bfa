// The checks a services file's entries must pass. Kept in one module so that they can defer to the
// shared contract rules (role ARN, ExternalId, service name) once those exist in contract/.

/** A service name: what the host's Unix group `rolepair-svc-<name>` and session names carry. */
export const serviceNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** An IAM role ARN in any partition: arn:<partition>:iam::<12 digits>:role/<path/name>. */
export const roleArnPattern = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** STS's ExternalId: 2 to 1224 characters of [\w+=,.@:/-]. */
export const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;

/** A region name such as us-east-1 or us-gov-west-1. */
export const regionPattern = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** The fewest characters a token may have (128 bits as base64url is 22). */
export const minimumTokenLength = 22;

/** STS's RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
export function sessionName(host: string, service: string): string {
    const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, "-");
    const name = `rolepair-${clean(host)}`.slice(0, 63 - service.length) + `-${clean(service)}`;
    return name.slice(0, 64);
}
