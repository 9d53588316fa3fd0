import { DEFAULT_PDF_LIMITS } from '$lib/pdf/inspect-limits';
import { PHOTO_SEAL_MAX_BYTES } from '$lib/domain/seal-photo';
import { SIGNATURE_MAX_BYTES } from '../seals';
import type { ErrorCode } from '$lib/domain/errors';
import { LICENCE_MAX_BYTES } from '$lib/domain/org-certification';

const KB = 1024;
const MB = 1024 * KB;

/**
 * The default cap: sign-in, setup, invite redemption, profile and every other JSON form. Their
 * bodies are a few KB (a WebAuthn response, a name); 64 KB leaves room and keeps an unsigned-in
 * visitor from making the server hold megabytes per request.
 */
export const SMALL_BODY = 64 * KB;

/**
 * A submission: the manifest (at most 500 fills, a few hundred KB) and the images the server
 * lacks as base64, in practice the drawn signature (tens of KB) and at most a saved one at its
 * 1 MB limit (1.4 MB as base64). 4 MB holds that twice over.
 */
export const SUBMISSION_BODY = 4 * MB;

/** A contract upload: the largest PDF inspection accepts, plus the multipart envelope around it. */
export const PDF_UPLOAD_BODY = DEFAULT_PDF_LIMITS.maxBytes + 2 * MB;

/** An admin's JSON edit of a contract or template: many fields, still text. */
const ADMIN_JSON_BODY = 1 * MB;

/** A route's cap, and the code a body over it is refused with. */
export interface BodyCap {
	bytes: number;
	/** The most specific code the user can act on: a file too large says which kind of file. */
	code: Extract<
		ErrorCode,
		'BODY_TOO_LARGE' | 'PDF_TOO_LARGE' | 'IMAGE_TOO_LARGE' | 'LICENCE_TOO_LARGE'
	>;
}

/**
 * Largest request body per route, by SvelteKit route id. One table, so the size a route accepts
 * is read in one place; a route not listed gets SMALL_BODY. Only the routes that take files get
 * more, so a large body cannot be sent where no large body is ever needed.
 */
export const BODY_LIMITS: Readonly<Record<string, BodyCap>> = {
	'/api/submissions': { bytes: SUBMISSION_BODY, code: 'BODY_TOO_LARGE' },
	'/api/admin/contracts': { bytes: PDF_UPLOAD_BODY, code: 'PDF_TOO_LARGE' },
	'/api/admin/contracts/[id]/document': { bytes: PDF_UPLOAD_BODY, code: 'PDF_TOO_LARGE' },
	'/api/admin/contracts/[id]/fields': { bytes: ADMIN_JSON_BODY, code: 'BODY_TOO_LARGE' },
	'/api/admin/templates': { bytes: ADMIN_JSON_BODY, code: 'BODY_TOO_LARGE' },
	// Raw PNG bodies: exactly the images' own limits, which the routes check again as they read.
	'/api/admin/seals/photo': { bytes: PHOTO_SEAL_MAX_BYTES, code: 'IMAGE_TOO_LARGE' },
	'/api/me/signature': { bytes: SIGNATURE_MAX_BYTES, code: 'IMAGE_TOO_LARGE' },
	// Certification (SPEC OC9): the licence with the form's few fields around it; the letter raw.
	'/api/admin/certification': { bytes: LICENCE_MAX_BYTES + SMALL_BODY, code: 'LICENCE_TOO_LARGE' },
	'/api/admin/certification/letter': { bytes: LICENCE_MAX_BYTES, code: 'LICENCE_TOO_LARGE' }
};

const SMALL_CAP: BodyCap = { bytes: SMALL_BODY, code: 'BODY_TOO_LARGE' };

/** The cap for a route id (null: no route matched, nothing will read the body). */
export function bodyLimit(routeId: string | null): BodyCap {
	return (routeId !== null && BODY_LIMITS[routeId]) || SMALL_CAP;
}

/** Why a body was refused: announced too long, or longer than the cap once read. */
export type BodyVerdict = 'ok' | 'too-large';

/**
 * Checks a request body against a cap. A Content-Length over the cap is refused before a byte is
 * read. Otherwise (chunked, or a length that lies) the body is passed on through a counter that
 * stops at the cap: the reader then sees an error, `exceeded()` turns true, and the caller
 * answers BODY_TOO_LARGE instead of whatever the route made of a cut body. The source is never
 * cancelled, because cancelling SvelteKit's body destroys the socket before the answer is
 * written; the caller closes the connection with the answer instead.
 */
export function capBody(
	request: Request,
	limit: number
): { verdict: 'too-large' } | { verdict: 'ok'; request: Request; exceeded: () => boolean } {
	const announced = request.headers.get('content-length');
	if (announced !== null && Number(announced) > limit) return { verdict: 'too-large' };
	const source = request.body;
	if (!source) return { verdict: 'ok', request, exceeded: () => false };
	let size = 0;
	let over = false;
	const reader = source.getReader();
	const capped = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const { done, value } = await reader.read();
			if (done) return controller.close();
			size += value.byteLength;
			if (size > limit) {
				over = true;
				controller.error(new Error(`The body is longer than ${limit} bytes`));
				return;
			}
			controller.enqueue(value);
		},
		cancel(reason) {
			// The route gave up on the body (its own cap): pass that on, as without the counter.
			return reader.cancel(reason);
		}
	});
	const wrapped = new Request(request, {
		body: capped,
		// Required by Node's fetch for a streamed body.
		duplex: 'half'
	} as RequestInit);
	return { verdict: 'ok', request: wrapped, exceeded: () => over };
}
