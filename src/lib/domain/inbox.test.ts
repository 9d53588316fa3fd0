import { describe, expect, it } from 'vitest';
import { dueSoonFirst, inboxTab, isDueSoon, mergeInbox, type InboxRowMeta } from './inbox';
import { sampleEnvelope, sampleManifest } from './fixtures';
import type { InboxItem } from './api-types';

const item = (over: Partial<InboxItem> = {}): InboxItem => ({
	id: 'e1',
	title: '采购合同',
	status: 'sent',
	revision: 1,
	docHash: 'a'.repeat(64),
	pageCount: 3,
	size: 1000,
	myState: 'pending',
	createdAt: '2026-03-01T08:00:00Z',
	...over
});
interface Row extends InboxRowMeta {
	definition: string | null;
}
const fresh = (i: InboxItem): Row => ({ ...i, downloadedAt: null, notice: null, definition: null });
const downloaded = (over: Partial<Row> = {}): Row => ({
	...fresh(item()),
	downloadedAt: '2026-03-02T08:00:00Z',
	definition: '{"kept":true}',
	...over
});

describe('mergeInbox', () => {
	it('adds new server items as rows that are not downloaded', () => {
		const { put, remove } = mergeInbox<Row>([], [item()], fresh);
		expect(put).toEqual([fresh(item())]);
		expect(remove).toEqual([]);
	});

	it('updates metadata and keeps the downloaded data', () => {
		const { put } = mergeInbox(
			[downloaded()],
			[item({ title: '新标题', myState: 'signed' })],
			fresh
		);
		expect(put[0]).toMatchObject({
			title: '新标题',
			myState: 'signed',
			downloadedAt: '2026-03-02T08:00:00Z',
			definition: '{"kept":true}',
			notice: null
		});
	});

	it('marks a downloaded copy revised and keeps the hash of the bytes it holds', () => {
		const { put } = mergeInbox(
			[downloaded()],
			[item({ revision: 2, docHash: 'b'.repeat(64) })],
			fresh
		);
		expect(put[0]).toMatchObject({ revision: 1, docHash: 'a'.repeat(64), notice: 'revised' });
	});

	it('takes the new revision directly when nothing was downloaded', () => {
		const { put } = mergeInbox(
			[fresh(item())],
			[item({ revision: 2, docHash: 'b'.repeat(64) })],
			fresh
		);
		expect(put[0]).toMatchObject({ revision: 2, docHash: 'b'.repeat(64), notice: null });
	});

	it('marks revoked envelopes, downloaded or not', () => {
		const revoked = item({ status: 'revoked' });
		expect(mergeInbox([downloaded()], [revoked], fresh).put[0]!.notice).toBe('revoked');
		expect(mergeInbox([], [revoked], fresh).put[0]!.notice).toBe('revoked');
	});

	it('deletes rows the server dropped unless they hold a download', () => {
		const gone = fresh(item({ id: 'e2' }));
		const kept = downloaded({ id: 'e3' });
		const { put, remove } = mergeInbox<Row>([gone, kept], [], fresh);
		expect(remove).toEqual(['e2']);
		expect(put).toEqual([{ ...kept, notice: 'removed' }]);
		// Already marked: nothing to write again.
		expect(mergeInbox<Row>([{ ...kept, notice: 'removed' }], [], fresh).put).toEqual([]);
	});
});

describe('inboxTab', () => {
	it('sorts by the signer decision first, then the envelope status', () => {
		expect(inboxTab({ myState: 'pending', status: 'sent' })).toBe('todo');
		expect(inboxTab({ myState: 'pending', status: 'revoked' })).toBe('todo');
		expect(inboxTab({ myState: 'signed', status: 'sent' })).toBe('done');
		expect(inboxTab({ myState: 'pending', status: 'completed' })).toBe('done');
		expect(inboxTab({ myState: 'rejected', status: 'revoked' })).toBe('returned');
	});
});

describe('due soon (DS1, DS2)', () => {
	// Deadline 2026-03-10 ends at 2026-03-10T16:00Z (midnight in Beijing, DL1).
	const deadlineAt = '2026-03-10T16:00:00.000Z';
	const at = (iso: string) => new Date(iso);
	const plan = { firstDaysBefore: 2, everyDays: 1 };

	it("opens at the plan's first reminder and closes at the deadline", () => {
		const row = item({ deadlineAt, reminders: plan });
		expect(isDueSoon(row, at('2026-03-08T15:59:59.000Z'))).toBe(false);
		expect(isDueSoon(row, at('2026-03-08T16:00:00.000Z'))).toBe(true);
		expect(isDueSoon(row, at('2026-03-10T15:59:59.000Z'))).toBe(true);
		// From the deadline on it is expired, not due soon.
		expect(isDueSoon(row, at('2026-03-10T16:00:00.000Z'))).toBe(false);
	});

	it('uses the default window (3 days) when the contract has no plan, and never without a deadline', () => {
		const now = at('2026-03-08T00:00:00.000Z');
		expect(isDueSoon(item({ deadlineAt, reminders: null }), now)).toBe(true);
		expect(isDueSoon(item({ deadlineAt, reminders: plan }), now)).toBe(false);
		expect(isDueSoon(item({ deadlineAt: null }), now)).toBe(false);
		expect(isDueSoon(item(), now)).toBe(false);
	});

	it('is only for a contract out for signing that still waits for this signer', () => {
		const now = at('2026-03-10T00:00:00.000Z');
		const base = { deadlineAt, reminders: plan };
		expect(isDueSoon(item({ ...base, myState: 'signed' }), now)).toBe(false);
		expect(isDueSoon(item({ ...base, myState: 'rejected' }), now)).toBe(false);
		expect(isDueSoon(item({ ...base, status: 'revoked' }), now)).toBe(false);
		expect(isDueSoon(item({ ...base, status: 'completed' }), now)).toBe(false);
	});

	it("in a sequential contract, only once it is the signer's turn as of the last sync", () => {
		const now = at('2026-03-10T00:00:00.000Z');
		const row = {
			...item({ deadlineAt, reminders: plan }),
			definition: sampleEnvelope(),
			mySignerIds: ['bob']
		};
		expect(isDueSoon({ ...row, accepted: [] }, now)).toBe(false);
		expect(isDueSoon({ ...row, accepted: [sampleManifest()] }, now)).toBe(true);
		expect(isDueSoon({ ...row, mySignerIds: ['alice'], accepted: [] }, now)).toBe(true);
	});

	it('lists the rows due soon first, nearest deadline first, the rest in their order', () => {
		const now = at('2026-03-09T18:00:00.000Z');
		const rows = [
			item({ id: 'new-no-deadline' }),
			item({ id: 'later', deadlineAt: '2026-03-11T16:00:00.000Z', reminders: plan }),
			item({ id: 'far', deadlineAt: '2026-04-30T16:00:00.000Z', reminders: plan }),
			item({ id: 'sooner', deadlineAt, reminders: plan }),
			item({ id: 'old' })
		];
		expect(dueSoonFirst(rows, now).map((r) => r.id)).toEqual([
			'sooner',
			'later',
			'new-no-deadline',
			'far',
			'old'
		]);
	});
});
