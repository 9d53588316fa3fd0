import { describe, expect, it } from 'vitest';
import { inboxTab, mergeInbox, type InboxRowMeta } from './inbox';
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
