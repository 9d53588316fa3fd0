import { toErrorCode, type ErrorCode } from '$lib/domain/errors';

/** A failed API call with its stable code; the UI translates the code, never the message. */
export class ApiError extends Error {
	constructor(
		readonly code: ErrorCode,
		readonly status: number,
		message: string,
		/** Facts the server sent with the code (e.g. attemptsLeft), for a more precise message. */
		readonly details: Record<string, unknown> = {}
	) {
		super(message);
		this.name = 'ApiError';
	}
}

/** Any thrown value as an ApiError, so a card shows a translated code even for an unexpected failure. */
export function asApiError(error: unknown): ApiError {
	return error instanceof ApiError ? error : new ApiError('INTERNAL', 0, String(error));
}

/**
 * fetch() for our JSON API. A network failure becomes ApiError('NETWORK') so callers handle
 * "offline" and "refused" through one path and retry only what is retryable.
 */
export async function api<T>(
	fetcher: typeof fetch,
	path: string,
	init: RequestInit & { json?: unknown } = {}
): Promise<T> {
	const { json, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (json !== undefined) headers.set('Content-Type', 'application/json');
	let response: Response;
	try {
		response = await fetcher(path, {
			...rest,
			headers,
			body: json !== undefined ? JSON.stringify(json) : rest.body,
			credentials: 'same-origin'
		});
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	const body = await response.json().catch(() => null);
	if (!response.ok) {
		const code = toErrorCode(body?.error?.code);
		throw new ApiError(
			response.status >= 500 && code === 'INTERNAL' ? 'INTERNAL' : code,
			response.status,
			body?.error?.message ?? response.statusText,
			typeof body?.error?.details === 'object' && body.error.details ? body.error.details : {}
		);
	}
	return body as T;
}
