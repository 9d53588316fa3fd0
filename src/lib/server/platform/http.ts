import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { ERROR_STATUS, type ErrorBody, type ErrorCode, type Failure } from '$lib/domain/errors';

/**
 * The JSON body of every failing API answer, returned (apiError) or thrown (guards' refuse), so
 * clients read one shape whichever way the request ended.
 */
export function errorBody(
	code: ErrorCode,
	message: string,
	details?: Record<string, unknown>
): ErrorBody {
	return { error: details ? { code, message, details } : { code, message } };
}

/**
 * A JSON error answer with a stable code. The English message is for logs and curl users; the
 * UI shows its own translated message for the code.
 */
export function apiError(
	code: ErrorCode,
	message: string,
	headers?: HeadersInit,
	details?: Record<string, unknown>
): Response {
	return json(errorBody(code, message, details), { status: ERROR_STATUS[code], headers });
}

/** The answer to a service's Failure: its code's status and body, its details kept. */
export function failureResponse(refused: Failure, headers?: HeadersInit): Response {
	return apiError(refused.code, refused.message, headers, refused.details);
}

/**
 * Whether a state-changing request comes from our own pages. SvelteKit's CSRF check covers form
 * posts only; JSON endpoints need this so another site cannot drive an admin's browser.
 */
export function sameOrigin(request: Request, origin: string): boolean {
	const header = request.headers.get('origin');
	return header !== null && header === origin;
}

/**
 * Whether reading a request body failed because it passed the size limit (adapter-node ends the
 * read with a 413), as opposed to a body cut off in transit, which the sender may simply repeat.
 */
export function bodyTooLarge(error: unknown): boolean {
	for (let e = error; e instanceof Object; e = (e as { cause?: unknown }).cause) {
		if ((e as { status?: unknown }).status === 413) return true;
	}
	return false;
}

/**
 * Reads a multipart body, or the error answer to send instead. adapter-node's body limit ends the
 * read with a 413, answered as `tooLarge`; any other failure is a body cut in transit or not
 * multipart at all, which the sender can repeat, so it must not read as "too large".
 */
export async function readForm(
	request: Request,
	tooLarge: ErrorCode
): Promise<FormData | Response> {
	try {
		return await request.formData();
	} catch (error) {
		if (bodyTooLarge(error)) return apiError(tooLarge, 'The upload is too large');
		return apiError('BAD_REQUEST', 'The upload was cut off or is not multipart form data');
	}
}

/**
 * Reads a JSON body and checks it against a schema; null when it is not JSON or does not fit,
 * so every endpoint refuses malformed input the same way before touching it.
 */
export async function readBody<S extends v.GenericSchema>(
	request: Request,
	schema: S
): Promise<v.InferOutput<S> | null> {
	const parsed = v.safeParse(schema, await request.json().catch(() => null));
	return parsed.success ? parsed.output : null;
}
