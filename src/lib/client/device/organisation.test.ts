import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxItem } from '$lib/domain/api-types';
import { sampleManifest } from '$lib/domain/fixtures';
import { DeviceDb } from './db';
import { applyInbox } from './downloads';
import { currentOrganisation, enterOrganisation } from './organisation';

// The device of a person in two organisations against a real Dexie (fake-indexeddb). SPEC MO8.

let db: DeviceDb;

function item(id: string, orgId: string): InboxItem {
	return {
		id,
		title: id,
		status: 'sent',
		revision: 1,
		docHash: 'd'.repeat(64),
		pageCount: 1,
		size: 10,
		myState: 'pending',
		createdAt: '2026-03-01T08:00:00.000Z',
		orgId,
		sender: { organisation: orgId, organisationEn: orgId, person: null }
	};
}

beforeEach(() => {
	db = new DeviceDb(`test-${crypto.randomUUID()}`);
});
afterEach(async () => {
	await db.delete();
});

describe('organisations on the device (MO8)', () => {
	it('MO8: an inbox refresh in one organisation keeps the other organisation’s contracts', async () => {
		await applyInbox([item('a-1', 'org-a')], db, 'org-a');
		await applyInbox([item('b-1', 'org-b')], db, 'org-b');
		const rows = await db.envelopes.toArray();
		expect(rows.map((r) => [r.id, r.orgId]).sort()).toEqual([
			['a-1', 'org-a'],
			['b-1', 'org-b']
		]);
		expect(await currentOrganisation(db)).toBe('org-b');
		// The same organisation's list still removes what the server no longer lists.
		await applyInbox([], db, 'org-b');
		expect((await db.envelopes.toArray()).map((r) => r.id)).toEqual(['a-1']);
	});

	it('MO8: entering another organisation drops unspent tickets and the cursor, never the outbox', async () => {
		await enterOrganisation('org-a', db);
		await db.tickets.bulkAdd([
			{
				id: 't-free',
				nonce: 'n',
				credentialId: 'c',
				expiresAt: '2099-01-01T00:00:00Z',
				spentBy: null
			},
			{
				id: 't-spent',
				nonce: 'n',
				credentialId: 'c',
				expiresAt: '2099-01-01T00:00:00Z',
				spentBy: 1
			}
		]);
		await db.meta.put({ key: 'pullCursor', value: 'cursor-of-a' });
		await db.outbox.add({
			createdAt: '2026-03-01T08:00:00.000Z',
			credentialId: 'c',
			envelopeId: 'a-1',
			manifest: sampleManifest(),
			manifestHash: 'h',
			idempotencyKey: 'key-00000001',
			assertion: {} as never,
			images: [],
			previewHash: null,
			state: 'pending',
			attempts: 0,
			nextAttemptAt: null,
			error: null,
			result: null,
			syncedAt: null
		});
		await enterOrganisation('org-a', db);
		expect(await db.tickets.count()).toBe(2);
		await enterOrganisation('org-b', db);
		expect((await db.tickets.toArray()).map((t) => t.id)).toEqual(['t-spent']);
		expect(await db.meta.get('pullCursor')).toBeUndefined();
		expect(await db.outbox.count()).toBe(1);
	});
});
