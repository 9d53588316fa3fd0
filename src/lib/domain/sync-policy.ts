import { isRetryable, toErrorCode, type ErrorCode } from './errors';

/**
 * The decisions of the sync engine (SPEC "Sync (Y)"), pure so they are tested without a browser,
 * a network or a clock: how to read the server's answer to an upload, when to try again, and
 * which outbox row goes next. The client only carries them out.
 */

/** The state of an outbox row as far as the order of uploads is concerned. */
export interface QueuedRow {
	id?: number;
	credentialId: string;
	state: 'pending' | 'sending' | 'failed' | 'synced';
	nextAttemptAt: string | null;
}

/** What the answer to one upload means for its row (Y1–Y4). */
export type UploadOutcome =
	| { kind: 'accepted' }
	/** Final: the row becomes 'failed' with this code and keeps its evidence (Y2). */
	| { kind: 'refused'; code: ErrorCode; message: string }
	/** Try again later with back-off; the credential's queue stops here (Y3). */
	| { kind: 'retry'; code: ErrorCode; message: string }
	/** The session is missing: nothing can upload until the user signs in (Y4). */
	| { kind: 'signed-out'; code: 'UNAUTHENTICATED'; message: string };

/**
 * A response as the transport saw it: `status` 0 when no answer arrived (offline, connection
 * reset, the answer lost on the way back), with the parsed JSON body when there was one.
 */
export interface TransportAnswer {
	status: number;
	body: unknown;
}

function errorOf(body: unknown): { code: ErrorCode; message: string } | null {
	const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
	if (!error || typeof error !== 'object') return null;
	return {
		code: toErrorCode(error.code),
		message: typeof error.message === 'string' ? error.message : ''
	};
}

/**
 * Classifies the answer to an upload (Y1–Y4). Only an answer the server itself gave can fail a
 * row: anything a proxy or a dropped connection could have produced is retried, because the
 * idempotency key makes a retry of a submission the server already stored harmless.
 */
export function classifyUpload(answer: TransportAnswer): UploadOutcome {
	const { status, body } = answer;
	const error = errorOf(body);
	if (status === 200 || status === 201) {
		// A 2xx without the acceptance body (a captive portal's page) proves nothing: retry.
		const ok =
			typeof (body as { submissionId?: unknown } | null)?.submissionId === 'string' &&
			error === null;
		return ok ? { kind: 'accepted' } : { kind: 'retry', code: 'NETWORK', message: 'Bad answer' };
	}
	if (status === 0) {
		return { kind: 'retry', code: 'NETWORK', message: error?.message ?? 'No answer' };
	}
	if (status === 401 && (error === null || error.code === 'UNAUTHENTICATED')) {
		return { kind: 'signed-out', code: 'UNAUTHENTICATED', message: 'Sign in to sync' };
	}
	// 408 and 429 say "not now", not "not this": a final refusal would throw away a signature
	// the server never judged.
	if (status === 408 || status === 429) {
		return {
			kind: 'retry',
			code: status === 429 ? 'RATE_LIMITED' : 'NETWORK',
			message: error?.message ?? `HTTP ${status}`
		};
	}
	if (status >= 400 && status < 500) {
		const code = error?.code ?? codeForStatus(status);
		return { kind: 'refused', code, message: error?.message ?? `HTTP ${status}` };
	}
	const code = error && isRetryable(error.code) ? error.code : 'INTERNAL';
	return { kind: 'retry', code, message: error?.message ?? `HTTP ${status}` };
}

/** A code for a 4xx that came without our error body (e.g. from a reverse proxy). */
function codeForStatus(status: number): ErrorCode {
	if (status === 413) return 'PAYLOAD_TOO_LARGE';
	if (status === 404) return 'NOT_FOUND';
	if (status === 403) return 'FORBIDDEN';
	return 'BAD_REQUEST';
}

/** Back-off bounds (Y5): the first retry after about 5 s, never more than 15 min apart. */
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 15 * 60_000;

/**
 * The delay before the next automatic attempt after `attempts` failed ones (Y5): exponential,
 * capped, with "equal jitter" — half fixed, half random — so devices that lost the network
 * together do not return together, and no delay is ever near zero. `random` is in [0, 1).
 */
export function backoffDelay(attempts: number, random: number): number {
	const exponent = Math.max(0, Math.min(attempts - 1, 30));
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** exponent);
	const r = Math.min(Math.max(random, 0), 1);
	return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/** The next step for one credential's queue (Y6). */
export type NextStep<R> =
	{ kind: 'upload'; row: R } | { kind: 'wait'; until: string; row: R } | { kind: 'done' };

/**
 * Which row of ONE credential's queue to upload next (Y6, Y7). `rows` are that credential's rows
 * in the order they were confirmed (ascending id). Synced and failed rows are behind us; the
 * first other row is the head, and only the head may go: a later row must never overtake it,
 * since the server checks the passkey's counter in the order the assertions were made. A row
 * left 'sending' by a crash is a pending row (Y7). Unless `force` (the user pressed 立即同步),
 * a head whose back-off has not expired makes the queue wait.
 */
export function nextStep<R extends QueuedRow>(
	rows: readonly R[],
	now: Date,
	force = false
): NextStep<R> {
	const head = rows.find((r) => r.state === 'pending' || r.state === 'sending');
	if (!head) return { kind: 'done' };
	if (!force && head.nextAttemptAt !== null && Date.parse(head.nextAttemptAt) > now.getTime()) {
		return { kind: 'wait', until: head.nextAttemptAt, row: head };
	}
	return { kind: 'upload', row: head };
}

/** The new bookkeeping of a row after an outcome that leaves it queued (Y3, Y4). */
export function requeue(
	row: { attempts: number },
	outcome: Extract<UploadOutcome, { kind: 'retry' | 'signed-out' }>,
	now: Date,
	random: number
): { attempts: number; nextAttemptAt: string | null; error: { code: string; message: string } } {
	const error = { code: outcome.code, message: outcome.message };
	// Signed out: nothing to back off from; the next run after signing in goes at once.
	if (outcome.kind === 'signed-out') return { attempts: row.attempts, nextAttemptAt: null, error };
	const attempts = row.attempts + 1;
	const at = new Date(now.getTime() + backoffDelay(attempts, random)).toISOString();
	return { attempts, nextAttemptAt: at, error };
}

/**
 * The earliest time any waiting queue becomes due (Y8): when the timer trigger should fire.
 * Null when nothing waits on back-off.
 */
export function earliestDue(waits: readonly string[]): string | null {
	let best: string | null = null;
	for (const at of waits) if (best === null || Date.parse(at) < Date.parse(best)) best = at;
	return best;
}
