import { m } from '$lib/paraglide/messages';
import type { ErrorCode } from '$lib/domain/errors';
import { ApiError } from './api';

const messages: Record<ErrorCode, () => string> = {
	BAD_REQUEST: m.error_BAD_REQUEST,
	NOT_FOUND: m.error_NOT_FOUND,
	UNAUTHENTICATED: m.error_UNAUTHENTICATED,
	FORBIDDEN: m.error_FORBIDDEN,
	ORIGIN_MISMATCH: m.error_ORIGIN_MISMATCH,
	RATE_LIMITED: m.error_RATE_LIMITED,
	PAYLOAD_TOO_LARGE: m.error_PAYLOAD_TOO_LARGE,
	SETUP_LINK_INVALID: m.error_SETUP_LINK_INVALID,
	SETUP_LINK_USED: m.error_SETUP_LINK_USED,
	NETWORK: m.error_NETWORK,
	INTERNAL: m.error_INTERNAL
};

/** The user's-language message for any thrown error; unknown errors read as INTERNAL. */
export function errorMessage(error: unknown): string {
	return messages[error instanceof ApiError ? error.code : 'INTERNAL']();
}
