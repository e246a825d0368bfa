// The S3 object actions a service role may be granted: shared by the components (which grant
// them) and verify's plan (which exercises only the granted ones).

/** Object-level S3 actions a service role may be granted. Wildcards are never accepted. */
export const ObjectAction = {
    GetObject: "s3:GetObject",
    PutObject: "s3:PutObject",
    DeleteObject: "s3:DeleteObject",
    GetObjectTagging: "s3:GetObjectTagging",
    PutObjectTagging: "s3:PutObjectTagging",
    AbortMultipartUpload: "s3:AbortMultipartUpload",
    ListMultipartUploadParts: "s3:ListMultipartUploadParts",
} as const;
export type ObjectAction = (typeof ObjectAction)[keyof typeof ObjectAction];
export const allowedObjectActions: readonly ObjectAction[] = Object.values(ObjectAction);
export const defaultObjectActions: readonly ObjectAction[] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
];
