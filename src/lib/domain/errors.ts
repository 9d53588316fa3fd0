/**
 * Stable error codes. A code is part of the API contract: clients key their messages and
 * their retry decisions on it, so a code is never renamed or reused for another meaning.
 */
export const ERROR_CODES = [
	'BAD_REQUEST',
	'NOT_FOUND',
	'UNAUTHENTICATED',
	'FORBIDDEN',
	'ORIGIN_MISMATCH',
	'RATE_LIMITED',
	'PAYLOAD_TOO_LARGE',
	'SETUP_LINK_INVALID',
	'SETUP_LINK_USED',
	'NETWORK',
	'INTERNAL'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The JSON body every failing API answer carries, so clients never parse prose. */
export interface ErrorBody {
	error: { code: ErrorCode; message: string };
}

/** HTTP status per code: 4xx codes are final for the client, only 5xx and NETWORK are retried. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
	BAD_REQUEST: 400,
	NOT_FOUND: 404,
	UNAUTHENTICATED: 401,
	FORBIDDEN: 403,
	ORIGIN_MISMATCH: 403,
	RATE_LIMITED: 429,
	PAYLOAD_TOO_LARGE: 413,
	SETUP_LINK_INVALID: 404,
	SETUP_LINK_USED: 410,
	NETWORK: 503,
	INTERNAL: 500
};

/**
 * Narrows unknown input (a parsed response body, a stored outbox error) to a known code, so a
 * code from a newer server degrades to INTERNAL instead of crashing an older client.
 */
export function toErrorCode(value: unknown): ErrorCode {
	return (ERROR_CODES as readonly unknown[]).includes(value) ? (value as ErrorCode) : 'INTERNAL';
}

/** Whether a failed request may be retried automatically (DESIGN §5: network errors and 5xx only). */
export function isRetryable(code: ErrorCode): boolean {
	return code === 'NETWORK' || ERROR_STATUS[code] >= 500;
}
