import { describe, expect, it } from 'vitest';
import {
	BACKOFF_CAP_MS,
	backoffDelay,
	classifyUpload,
	earliestDue,
	nextStep,
	requeue,
	type QueuedRow
} from './sync-policy';

const accepted = {
	submissionId: 's-1',
	manifestHash: 'a'.repeat(64),
	envelopeStatus: 'sent',
	receivedAt: '2026-03-01T08:00:00.000Z'
};
const refusal = (code: string) => ({ error: { code, message: `refused ${code}` } });

describe('classifyUpload', () => {
	it('Y1: 201 and 200 (a stored answer to a retry) with an acceptance body are accepted', () => {
		expect(classifyUpload({ status: 201, body: accepted })).toEqual({ kind: 'accepted' });
		expect(classifyUpload({ status: 200, body: accepted })).toEqual({ kind: 'accepted' });
	});

	it('Y1: a 2xx without the acceptance body (a portal page) is retried, never taken as synced', () => {
		expect(classifyUpload({ status: 200, body: null }).kind).toBe('retry');
		expect(classifyUpload({ status: 200, body: { hello: 1 } }).kind).toBe('retry');
	});

	it('Y2: 409, 422, 403 and 400 are final with the server code and message', () => {
		for (const [status, code] of [
			[409, 'TICKET_USED'],
			[409, 'DOC_REVOKED'],
			[422, 'MANIFEST_INVALID'],
			[403, 'SEAL_NOT_AUTHORISED'],
			[400, 'BAD_REQUEST']
		] as const) {
			expect(classifyUpload({ status, body: refusal(code) })).toEqual({
				kind: 'refused',
				code,
				message: `refused ${code}`
			});
		}
	});

	it('Y2: a 4xx without our body is still final, with a code for its status', () => {
		expect(classifyUpload({ status: 413, body: null })).toMatchObject({
			kind: 'refused',
			code: 'PAYLOAD_TOO_LARGE'
		});
		expect(classifyUpload({ status: 404, body: null })).toMatchObject({ code: 'NOT_FOUND' });
	});

	it('Y2/Y4: a 401 ASSERTION_INVALID is a refusal, not a sign-in problem', () => {
		expect(classifyUpload({ status: 401, body: refusal('ASSERTION_INVALID') })).toMatchObject({
			kind: 'refused',
			code: 'ASSERTION_INVALID'
		});
	});

	it('Y3: no answer, 5xx, 408 and 429 are retried', () => {
		expect(classifyUpload({ status: 0, body: null })).toMatchObject({
			kind: 'retry',
			code: 'NETWORK'
		});
		expect(classifyUpload({ status: 500, body: refusal('INTERNAL') })).toMatchObject({
			kind: 'retry',
			code: 'INTERNAL'
		});
		expect(classifyUpload({ status: 502, body: null })).toMatchObject({ kind: 'retry' });
		expect(classifyUpload({ status: 503, body: refusal('NETWORK') })).toMatchObject({
			kind: 'retry',
			code: 'NETWORK'
		});
		expect(classifyUpload({ status: 429, body: refusal('RATE_LIMITED') })).toMatchObject({
			kind: 'retry',
			code: 'RATE_LIMITED'
		});
		expect(classifyUpload({ status: 408, body: null })).toMatchObject({ kind: 'retry' });
	});

	it('Y3: a 5xx carrying a 4xx code is still retried (the status decides, not the prose)', () => {
		expect(classifyUpload({ status: 500, body: refusal('TICKET_USED') })).toMatchObject({
			kind: 'retry',
			code: 'INTERNAL'
		});
	});

	it('Y4: 401 UNAUTHENTICATED (or a bare 401) means signed out', () => {
		expect(classifyUpload({ status: 401, body: refusal('UNAUTHENTICATED') })).toMatchObject({
			kind: 'signed-out',
			code: 'UNAUTHENTICATED'
		});
		expect(classifyUpload({ status: 401, body: null }).kind).toBe('signed-out');
	});
});

describe('backoffDelay', () => {
	it('Y5: doubles per attempt with equal jitter between c/2 and c', () => {
		expect(backoffDelay(1, 0)).toBe(2_500);
		expect(backoffDelay(1, 0.999999)).toBe(5_000);
		expect(backoffDelay(2, 0)).toBe(5_000);
		expect(backoffDelay(3, 0.5)).toBe(15_000);
	});

	it('Y5: never exceeds the cap, however many attempts', () => {
		for (const attempts of [10, 20, 50, 1_000]) {
			expect(backoffDelay(attempts, 0.999999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
			expect(backoffDelay(attempts, 0)).toBe(BACKOFF_CAP_MS / 2);
		}
	});
});

const row = (id: number, state: QueuedRow['state'], nextAttemptAt: string | null = null) => ({
	id,
	credentialId: 'cred',
	state,
	nextAttemptAt
});
const now = new Date('2026-03-01T08:00:00.000Z');

describe('nextStep', () => {
	it('Y6: the first row that is neither synced nor failed goes first; failed rows are passed over', () => {
		const rows = [row(1, 'synced'), row(2, 'failed'), row(3, 'pending'), row(4, 'pending')];
		expect(nextStep(rows, now)).toEqual({ kind: 'upload', row: rows[2] });
	});

	it('Y6: a head waiting on back-off holds the whole queue; a later due row does not overtake it', () => {
		const rows = [row(1, 'pending', '2026-03-01T08:01:00.000Z'), row(2, 'pending')];
		expect(nextStep(rows, now)).toEqual({
			kind: 'wait',
			until: '2026-03-01T08:01:00.000Z',
			row: rows[0]
		});
	});

	it('Y6: "sync now" ignores the back-off of the head', () => {
		const rows = [row(1, 'pending', '2026-03-01T08:01:00.000Z'), row(2, 'pending')];
		expect(nextStep(rows, now, true)).toEqual({ kind: 'upload', row: rows[0] });
	});

	it('Y7: a row left in sending by a crash is uploaded again', () => {
		const rows = [row(1, 'sending'), row(2, 'pending')];
		expect(nextStep(rows, now)).toEqual({ kind: 'upload', row: rows[0] });
	});

	it('Y6: nothing left is done', () => {
		expect(nextStep([row(1, 'synced'), row(2, 'failed')], now)).toEqual({ kind: 'done' });
	});
});

describe('requeue', () => {
	it('Y3: counts the attempt and schedules it by the back-off', () => {
		const next = requeue({ attempts: 2 }, { kind: 'retry', code: 'NETWORK', message: 'x' }, now, 0);
		expect(next.attempts).toBe(3);
		expect(next.nextAttemptAt).toBe(new Date(now.getTime() + 10_000).toISOString());
		expect(next.error).toEqual({ code: 'NETWORK', message: 'x' });
	});

	it('Y4: signed out keeps the count and asks for no wait', () => {
		const next = requeue(
			{ attempts: 2 },
			{ kind: 'signed-out', code: 'UNAUTHENTICATED', message: 'Sign in to sync' },
			now,
			0.5
		);
		expect(next).toEqual({
			attempts: 2,
			nextAttemptAt: null,
			error: { code: 'UNAUTHENTICATED', message: 'Sign in to sync' }
		});
	});
});

describe('earliestDue', () => {
	it('Y8: the timer fires at the earliest waiting head', () => {
		expect(earliestDue(['2026-03-01T09:00:00.000Z', '2026-03-01T08:30:00.000Z'])).toBe(
			'2026-03-01T08:30:00.000Z'
		);
		expect(earliestDue([])).toBeNull();
	});
});
