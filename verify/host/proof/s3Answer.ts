// What S3 answered a ListObjectsV2, read as S3Client reads it (listingProbe.ts sends the request):
// a page, S3's AccessDenied, or the S3ServiceException S3Client would throw for anything else.
import { S3ServiceException } from "@aws-sdk/client-s3";
import type { HttpResponse } from "@smithy/types";
import type { Readable } from "stream";

/** What a listing answered: S3's refusal, or a page (which, for a denial check, is a leak). */
export type ListingAnswer = "AccessDenied" | "listed";

/** The whole body of an answer (an error document or a page of one key: small). */
export async function readBody(response: HttpResponse): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
}

/** S3's error document: an <Error> root, after an XML declaration or nothing. */
const errorDocument = /^\s*(?:<\?xml[^>]*\?>\s*)?<Error>([\s\S]*)<\/Error>\s*$/;

const xmlEntities: Record<string, string> = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&apos;": "'",
};

/** The text of the first <tag> element inside S3's error document, unescaped. */
function xmlText(body: string, tag: string): string | undefined {
    const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body);
    return match?.[1].replace(/&(amp|lt|gt|quot|apos);/g, (entity) => xmlEntities[entity]);
}

/** A page, S3's AccessDenied, or the S3ServiceException S3Client would throw for the answer. */
export function answerOf(response: HttpResponse, body: string): ListingAnswer {
    const document = errorDocument.exec(body)?.[1] ?? "";
    // S3 can answer 200 with an error document; S3Client then treats the answer as a 503.
    const status =
        response.statusCode >= 200 && response.statusCode < 300 && document
            ? 503
            : response.statusCode;
    if (status >= 200 && status < 300) return "listed";
    // As the SDK names an S3 error: its <Code>, else NotFound for a 404, else Unknown.
    const name = xmlText(document, "Code") ?? (status === 404 ? "NotFound" : "Unknown");
    if (name === "AccessDenied" && status === 403) return "AccessDenied";
    const requestId = xmlText(document, "RequestId") ?? response.headers["x-amz-request-id"];
    const error = new S3ServiceException({
        name,
        $fault: status >= 500 ? "server" : "client",
        message: xmlText(document, "Message") ?? "UnknownError",
        $metadata: {
            httpStatusCode: status,
            requestId,
            extendedRequestId: response.headers["x-amz-id-2"],
        },
    });
    throw Object.assign(error, { $response: response });
}
