import { m } from '$lib/paraglide/messages';
import { toErrorCode, type ErrorCode } from '$lib/domain/errors';
import { ApiError } from './api';

const messages: Record<
	ErrorCode,
	(inputs?: object, options?: { locale?: 'en' | 'zh-CN' }) => string
> = {
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
	NOT_FINAL: m.error_NOT_FINAL,
	FIELD_UNKNOWN: m.error_FIELD_UNKNOWN,
	FIELD_NOT_YOURS: m.error_FIELD_NOT_YOURS,
	FIELD_TAKEN: m.error_FIELD_TAKEN,
	FIELD_KIND_MISMATCH: m.error_FIELD_KIND_MISMATCH,
	FIELD_MISSING: m.error_FIELD_MISSING,
	NOT_YOUR_TURN: m.error_NOT_YOUR_TURN,
	IMAGE_MISSING: m.error_IMAGE_MISSING,
	SEAL_NOT_AUTHORISED: m.error_SEAL_NOT_AUTHORISED,
	SEAL_SPEC_INVALID: m.error_SEAL_SPEC_INVALID,
	SEAL_NOT_GENERATED: m.error_SEAL_NOT_GENERATED,
	POSITION_OUTSIDE_PAGE: m.error_POSITION_OUTSIDE_PAGE,
	PAGE_OUT_OF_RANGE: m.error_PAGE_OUT_OF_RANGE,
	REASON_INVALID: m.error_REASON_INVALID,
	PASSKEY_CHALLENGE_INVALID: m.error_PASSKEY_CHALLENGE_INVALID,
	PASSKEY_INVALID: m.error_PASSKEY_INVALID,
	PASSKEY_UNKNOWN: m.error_PASSKEY_UNKNOWN,
	PASSKEY_LAST: m.error_PASSKEY_LAST,
	PASSKEY_NAME_INVALID: m.error_PASSKEY_NAME_INVALID,
	PASSKEY_CANCELLED: m.error_PASSKEY_CANCELLED,
	PASSKEY_EXISTS: m.error_PASSKEY_EXISTS,
	PASSKEY_UNSUPPORTED: m.error_PASSKEY_UNSUPPORTED,
	UV_REQUIRED: m.error_UV_REQUIRED,
	// invites and codes
	INVITE_INVALID: m.error_INVITE_INVALID,
	CODE_INVALID: m.error_CODE_INVALID,
	CODE_EXPIRED: m.error_CODE_EXPIRED,
	CODE_LOCKED: m.error_CODE_LOCKED,
	CONTACT_INVALID: m.error_CONTACT_INVALID,
	NOTIFY_UNAVAILABLE: m.error_NOTIFY_UNAVAILABLE,
	NOTIFY_FAILED: m.error_NOTIFY_FAILED,
	REAL_NAME_INVALID: m.error_REAL_NAME_INVALID,
	ID_NUMBER_INVALID: m.error_ID_NUMBER_INVALID,
	// tickets and submissions
	TICKET_UNKNOWN: m.error_TICKET_UNKNOWN,
	TICKET_EXPIRED: m.error_TICKET_EXPIRED,
	TICKET_USED: m.error_TICKET_USED,
	ASSERTION_INVALID: m.error_ASSERTION_INVALID,
	DOC_REVOKED: m.error_DOC_REVOKED,
	DOC_EXPIRED: m.error_DOC_EXPIRED,
	IDEMPOTENCY_CONFLICT: m.error_IDEMPOTENCY_CONFLICT,
	// review of synced signatures
	COMMENT_INVALID: m.error_COMMENT_INVALID,
	// device store
	STORAGE_FULL: m.error_STORAGE_FULL,
	DOWNLOAD_CORRUPT: m.error_DOWNLOAD_CORRUPT,
	// offline confirmation
	DEVICE_PASSKEY_MISSING: m.error_DEVICE_PASSKEY_MISSING,
	TICKETS_EXHAUSTED: m.error_TICKETS_EXHAUSTED,
	FONT_MISSING: m.error_FONT_MISSING,
	SAVE_FAILED: m.error_SAVE_FAILED,
	ALREADY_DECIDED: m.error_ALREADY_DECIDED,
	// contracts
	CONTRACT_INVALID: m.error_CONTRACT_INVALID,
	CONTRACT_NOT_READY: m.error_CONTRACT_NOT_READY,
	CONTRACT_NOT_EDITABLE: m.error_CONTRACT_NOT_EDITABLE,
	// a stamp must be its seal
	SEAL_IMAGE_MISMATCH: m.error_SEAL_IMAGE_MISMATCH,
	SEAL_SIZE_MISMATCH: m.error_SEAL_SIZE_MISMATCH,
	SEAL_DISABLED: m.error_SEAL_DISABLED,
	// request hardening
	BODY_TOO_LARGE: m.error_BODY_TOO_LARGE,
	PASSKEY_CHECK_REQUIRED: m.error_PASSKEY_CHECK_REQUIRED,
	// server storage
	SERVER_DISK_FULL: m.error_SERVER_DISK_FULL,
	SERVER_BUSY: m.error_SERVER_BUSY,
	CONSENT_REQUIRED: m.error_CONSENT_REQUIRED,
	CERTIFICATION_FAILED: m.error_CERTIFICATION_FAILED,
	CERTIFICATION_UNREACHABLE: m.error_CERTIFICATION_UNREACHABLE,
	SIGNER_NOT_CERTIFIED: m.error_SIGNER_NOT_CERTIFIED
};

/** The user's-language message for any thrown error; unknown errors read as INTERNAL. */
export function errorMessage(error: unknown): string {
	return messages[error instanceof ApiError ? error.code : 'INTERNAL']();
}

/**
 * The message for a stored code (an outbox row's refusal), optionally in a given language: the
 * 待同步 list shows a refusal in both languages, so the signer can forward it to whoever
 * prepared the contract whatever language they read. Unknown codes read as INTERNAL.
 */
export function errorMessageFor(code: string, locale?: 'en' | 'zh-CN'): string {
	return messages[toErrorCode(code)]({}, locale ? { locale } : undefined);
}
