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
	INTERNAL: m.error_INTERNAL,
	PDF_TOO_LARGE: m.error_PDF_TOO_LARGE,
	PDF_TOO_MANY_PAGES: m.error_PDF_TOO_MANY_PAGES,
	PDF_ENCRYPTED: m.error_PDF_ENCRYPTED,
	PDF_MALFORMED: m.error_PDF_MALFORMED,
	PDF_TIMEOUT: m.error_PDF_TIMEOUT,
	IMAGE_INVALID: m.error_IMAGE_INVALID,
	IMAGE_TOO_LARGE: m.error_IMAGE_TOO_LARGE,
	MANIFEST_INVALID: m.error_MANIFEST_INVALID,
	DOC_MISMATCH: m.error_DOC_MISMATCH,
	DOC_REVISED: m.error_DOC_REVISED,
	ENVELOPE_CLOSED: m.error_ENVELOPE_CLOSED,
	FIELD_UNKNOWN: m.error_FIELD_UNKNOWN,
	FIELD_NOT_YOURS: m.error_FIELD_NOT_YOURS,
	FIELD_TAKEN: m.error_FIELD_TAKEN,
	FIELD_KIND_MISMATCH: m.error_FIELD_KIND_MISMATCH,
	FIELD_MISSING: m.error_FIELD_MISSING,
	NOT_YOUR_TURN: m.error_NOT_YOUR_TURN,
	IMAGE_MISSING: m.error_IMAGE_MISSING,
	SEAL_NOT_AUTHORISED: m.error_SEAL_NOT_AUTHORISED,
	POSITION_OUTSIDE_PAGE: m.error_POSITION_OUTSIDE_PAGE,
	PAGE_OUT_OF_RANGE: m.error_PAGE_OUT_OF_RANGE,
	REASON_INVALID: m.error_REASON_INVALID
};

/** The user's-language message for any thrown error; unknown errors read as INTERNAL. */
export function errorMessage(error: unknown): string {
	return messages[error instanceof ApiError ? error.code : 'INTERNAL']();
}
