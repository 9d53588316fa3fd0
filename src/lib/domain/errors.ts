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
	'INTERNAL',
	'PDF_TOO_LARGE',
	'PDF_TOO_MANY_PAGES',
	'PDF_ENCRYPTED',
	'PDF_MALFORMED',
	'PDF_TIMEOUT',
	'IMAGE_INVALID',
	'IMAGE_TOO_LARGE',
	'MANIFEST_INVALID',
	'DOC_MISMATCH',
	'DOC_REVISED',
	'ENVELOPE_CLOSED',
	'FIELD_UNKNOWN',
	'FIELD_NOT_YOURS',
	'FIELD_TAKEN',
	'FIELD_KIND_MISMATCH',
	'FIELD_MISSING',
	'NOT_YOUR_TURN',
	'IMAGE_MISSING',
	'SEAL_NOT_AUTHORISED',
	'POSITION_OUTSIDE_PAGE',
	'PAGE_OUT_OF_RANGE',
	'REASON_INVALID',
	'PASSKEY_CHALLENGE_INVALID',
	'PASSKEY_INVALID',
	'PASSKEY_UNKNOWN',
	'PASSKEY_LAST',
	'PASSKEY_NAME_INVALID',
	'PASSKEY_CANCELLED',
	'PASSKEY_EXISTS',
	'PASSKEY_UNSUPPORTED',
	'UV_REQUIRED',
	// invites and codes
	'INVITE_INVALID',
	'CODE_INVALID',
	'CODE_EXPIRED',
	'CODE_LOCKED',
	'INVITE_REPLACED',
	'CONTACT_INVALID',
	'NOTIFY_UNAVAILABLE',
	'NOTIFY_FAILED',
	'REAL_NAME_INVALID',
	'ID_NUMBER_INVALID',
	// re-enrolment links
	'ID_NUMBER_WRONG',
	'CONTACT_MISSING',
	// organisations the platform operator creates
	'ORG_NAME_TAKEN',
	'ORG_NAME_INVALID',
	// tickets and submissions
	'TICKET_UNKNOWN',
	'TICKET_EXPIRED',
	'TICKET_USED',
	'ASSERTION_INVALID',
	'DOC_REVOKED',
	'DOC_EXPIRED',
	'IDEMPOTENCY_CONFLICT',
	// review of synced signatures
	'COMMENT_INVALID',
	// device store (raised in the browser, like NETWORK)
	'STORAGE_FULL',
	'DOWNLOAD_CORRUPT',
	// offline confirmation (raised in the browser)
	'DEVICE_PASSKEY_MISSING',
	'TICKETS_EXHAUSTED',
	'FONT_MISSING',
	'SAVE_FAILED',
	'ALREADY_DECIDED',
	// contracts
	'CONTRACT_INVALID',
	'CONTRACT_NOT_READY',
	'CONTRACT_NOT_EDITABLE',
	'NOT_FINAL',
	// admin seals
	'SEAL_SPEC_INVALID',
	'SEAL_NOT_GENERATED',
	// a stamp must be its seal (R20, R21)
	'SEAL_IMAGE_MISMATCH',
	'SEAL_SIZE_MISMATCH',
	'SEAL_DISABLED',
	// request hardening: a body over its route's cap; a passkey check needed before enrolment
	'BODY_TOO_LARGE',
	'PASSKEY_CHECK_REQUIRED',
	// server storage: the disk is full, or another writer holds the database past busy_timeout
	'SERVER_DISK_FULL',
	'SERVER_BUSY',
	// members of an organisation
	'ACCOUNT_DEACTIVATED',
	'LAST_ADMIN',
	// organisation certification (SPEC OC)
	'ORG_NOT_CERTIFIED',
	'ORG_CERT_INVALID',
	'LICENCE_INVALID',
	'LICENCE_TOO_LARGE',
	'CERT_STATE',
	'DEPOSIT_WRONG',
	'DEPOSIT_EXPIRED',
	'DEPOSIT_LOCKED',
	'BANK_DETAILS_INVALID',
	// 法定代表人认证 (SPEC LR)
	'LEGAL_REP_MISMATCH',
	// personal certification (SPEC PC)
	'CONSENT_REQUIRED',
	'CERTIFICATION_FAILED',
	'CERTIFICATION_UNREACHABLE',
	'SIGNER_NOT_CERTIFIED',
	// one person in several organisations (SPEC MO)
	'ALREADY_MEMBER',
	'PERSON_MISMATCH',
	'ORG_NOT_CURRENT'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The JSON body every failing API answer carries, so clients never parse prose. */
export interface ErrorBody {
	error: {
		code: ErrorCode;
		message: string;
		/** Facts a client words its message with (attempts left, which ID check failed). */
		details?: Record<string, unknown>;
	};
}

/**
 * A refused operation, as every service returns it: the stable code, an English message for logs
 * and curl users, and the facts a client words its own message with. Endpoints turn it into an
 * ErrorBody with the code's status.
 */
export interface Failure {
	ok: false;
	code: ErrorCode;
	message: string;
	details?: Record<string, unknown>;
}

/** A service's answer: success with its fields, or a Failure. */
export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

/** Builds a Failure (details only when there are some). */
export function failure(
	code: ErrorCode,
	message: string,
	details?: Record<string, unknown>
): Failure {
	return details ? { ok: false, code, message, details } : { ok: false, code, message };
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
	INTERNAL: 500,
	NOT_FINAL: 409,
	PDF_TOO_LARGE: 413,
	PDF_TOO_MANY_PAGES: 422,
	PDF_ENCRYPTED: 422,
	PDF_MALFORMED: 422,
	PDF_TIMEOUT: 422,
	IMAGE_INVALID: 422,
	IMAGE_TOO_LARGE: 422,
	MANIFEST_INVALID: 422,
	DOC_MISMATCH: 409,
	DOC_REVISED: 409,
	ENVELOPE_CLOSED: 409,
	FIELD_UNKNOWN: 422,
	FIELD_NOT_YOURS: 422,
	FIELD_TAKEN: 409,
	FIELD_KIND_MISMATCH: 422,
	FIELD_MISSING: 422,
	NOT_YOUR_TURN: 409,
	IMAGE_MISSING: 422,
	SEAL_NOT_AUTHORISED: 403,
	SEAL_SPEC_INVALID: 422,
	// A seal made from a photo has no spec to regenerate it from.
	SEAL_NOT_GENERATED: 409,
	POSITION_OUTSIDE_PAGE: 422,
	PAGE_OUT_OF_RANGE: 422,
	REASON_INVALID: 422,
	PASSKEY_CHALLENGE_INVALID: 400,
	PASSKEY_INVALID: 401,
	PASSKEY_UNKNOWN: 401,
	PASSKEY_LAST: 409,
	PASSKEY_NAME_INVALID: 422,
	// The next three are raised by the browser ceremony, never by the server (like NETWORK); the
	// status only keeps them in the "final, do not retry" class.
	PASSKEY_CANCELLED: 400,
	PASSKEY_EXISTS: 409,
	PASSKEY_UNSUPPORTED: 400,
	UV_REQUIRED: 422,
	// invites and codes (NOTIFY_FAILED is 5xx: the mail server may recover, a retry may work)
	INVITE_INVALID: 404,
	CODE_INVALID: 422,
	CODE_EXPIRED: 410,
	CODE_LOCKED: 423,
	// A re-enrolment link an administrator replaced with a newer one: gone for good.
	INVITE_REPLACED: 410,
	CONTACT_INVALID: 422,
	NOTIFY_UNAVAILABLE: 422,
	NOTIFY_FAILED: 502,
	REAL_NAME_INVALID: 422,
	ID_NUMBER_INVALID: 422,
	ID_NUMBER_WRONG: 422,
	CONTACT_MISSING: 422,
	ORG_NAME_TAKEN: 409,
	ORG_NAME_INVALID: 422,
	// tickets and submissions
	TICKET_UNKNOWN: 422,
	TICKET_EXPIRED: 422,
	TICKET_USED: 409,
	ASSERTION_INVALID: 401,
	DOC_REVOKED: 409,
	DOC_EXPIRED: 409,
	IDEMPOTENCY_CONFLICT: 422,
	// review of synced signatures
	COMMENT_INVALID: 422,
	// device store: raised by the browser, never the server; 4xx keeps them out of automatic
	// retry (a full disk or a corrupt copy needs the user, not a loop)
	STORAGE_FULL: 413,
	DOWNLOAD_CORRUPT: 422,
	// offline confirmation: raised by the browser, never the server; each needs the user (log
	// in with the passkey, come online, retry the save), so none is retried automatically
	DEVICE_PASSKEY_MISSING: 409,
	TICKETS_EXHAUSTED: 409,
	FONT_MISSING: 409,
	SAVE_FAILED: 409,
	ALREADY_DECIDED: 409,
	// contracts: a form problem, a layout not ready to send, a contract past the step asked for
	CONTRACT_INVALID: 422,
	CONTRACT_NOT_READY: 422,
	CONTRACT_NOT_EDITABLE: 409,
	// a stamp that is not its seal's image or size is malformed evidence; a disabled seal is
	// refused like a revoked authorisation
	SEAL_IMAGE_MISMATCH: 422,
	SEAL_SIZE_MISMATCH: 422,
	SEAL_DISABLED: 403,
	// request hardening
	BODY_TOO_LARGE: 413,
	PASSKEY_CHECK_REQUIRED: 403,
	// server storage: 5xx so devices keep the item and retry; nothing was stored
	SERVER_DISK_FULL: 507,
	SERVER_BUSY: 503,
	// members: a deactivated account is final until an administrator reactivates it; the last
	// active administrator cannot be demoted or deactivated (nobody could undo it)
	ACCOUNT_DEACTIVATED: 403,
	LAST_ADMIN: 409,
	ORG_NOT_CERTIFIED: 403,
	ORG_CERT_INVALID: 422,
	LICENCE_INVALID: 422,
	LICENCE_TOO_LARGE: 413,
	CERT_STATE: 409,
	DEPOSIT_WRONG: 422,
	DEPOSIT_EXPIRED: 410,
	DEPOSIT_LOCKED: 429,
	BANK_DETAILS_INVALID: 422,
	LEGAL_REP_MISMATCH: 422,
	// personal certification: a provider's "no" is final for that attempt, not a server fault
	CONSENT_REQUIRED: 409,
	CERTIFICATION_FAILED: 422,
	CERTIFICATION_UNREACHABLE: 422,
	SIGNER_NOT_CERTIFIED: 409,
	// joining an organisation the person is already in, or as someone their details contradict
	ALREADY_MEMBER: 409,
	PERSON_MISMATCH: 409,
	// a device refuses to sign a contract of an organisation the session is not in (MO8)
	ORG_NOT_CURRENT: 409
};

/**
 * Narrows unknown input (a parsed response body, a stored outbox error) to a known code, so a
 * code from a newer server degrades to INTERNAL instead of crashing an older client.
 */
export function toErrorCode(value: unknown): ErrorCode {
	return (ERROR_CODES as readonly unknown[]).includes(value) ? (value as ErrorCode) : 'INTERNAL';
}

/** Whether a failed request may be retried automatically (SPEC Y3: network errors and 5xx only). */
export function isRetryable(code: ErrorCode): boolean {
	return code === 'NETWORK' || ERROR_STATUS[code] >= 500;
}
