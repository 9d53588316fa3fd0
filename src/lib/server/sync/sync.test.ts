import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../db';
import type { User } from '../db/schema';
import type { BlobStore } from '../platform/blob-store';
import { decodeCursor, encodeCursor, missingBlobs, pullChanges, PULL_PAGE } from './sync';
import { canonicalJson } from '$lib/domain/canonical';
import { sampleManifest } from '$lib/domain/fixtures';
import { insertSeal } from '../../../../tests/support/seals';
import {
	insertContract,
	insertDocBlob,
	insertOrgs,
	insertUsers,
	openTestServer,
	type TestServer
} from '../../../../tests/support/test-server';

// Real SQLite file through every migration: the triggers of 0006 are what is under test.

const AT = '2026-03-01T08:00:00.000Z';
let server: TestServer;
let open: OpenDatabase;
let blobs: BlobStore;
let alice: User;

async function addEnvelope(id: string, status: 'draft' | 'sent' = 'sent', signer = alice.id) {
	await insertContract(open.db, { id, status, at: AT, signers: { alice: signer } });
}

beforeEach(async () => {
	server = await openTestServer('sync', { blobLimit: 1 << 20 });
	({ open, blobs } = server);
	const db = open.db;
	await insertOrgs(db, AT);
	[alice] = (await insertUsers(db, AT, [{ id: 'alice' }, { id: 'bob' }])) as [User, User];
	await insertDocBlob(db, AT);
	await db
		.insertInto('credentials')
		.values({
			id: 'cred-a',
			user_id: 'alice',
			public_key: new Uint8Array([1]),
			counter: 0,
			transports: '[]',
			device_type: 'singleDevice',
			backed_up: 0,
			name: 't',
			created_at: AT,
			last_used_at: null,
			revoked_at: null
		})
		.execute();
});

afterEach(async () => {
	await server.close();
});

describe('pullChanges', () => {
	it('without a cursor returns every sent envelope of the user, not drafts or others', async () => {
		await addEnvelope('e1');
		await addEnvelope('e2', 'draft');
		await addEnvelope('e3', 'sent', 'bob');
		const pull = await pullChanges(open.db, alice, null);
		expect(pull.items.map((i) => i.id)).toEqual(['e1']);
		expect(pull.envelopes.map((e) => e.envelope.id)).toEqual(['e1']);
		expect(pull.envelopes[0]!.mySignerIds).toEqual(['alice']);
		expect(pull.more).toBe(false);
	});

	it('a cursor returns nothing until a write changes an envelope, then only that envelope', async () => {
		await addEnvelope('e1');
		await addEnvelope('e2');
		const first = await pullChanges(open.db, alice, null);
		expect((await pullChanges(open.db, alice, first.cursor)).items).toEqual([]);

		await open.db
			.updateTable('envelopes')
			.set({ status: 'revoked' })
			.where('id', '=', 'e2')
			.execute();
		const revoked = await pullChanges(open.db, alice, first.cursor);
		expect(revoked.items.map((i) => [i.id, i.status])).toEqual([['e2', 'revoked']]);
		expect(revoked.envelopes[0]!.envelope.status).toBe('revoked');
		expect((await pullChanges(open.db, alice, revoked.cursor)).items).toEqual([]);
	});

	it('an accepted manifest (another signer’s) brings the envelope back with its accepted list', async () => {
		await addEnvelope('e1');
		const { cursor } = await pullChanges(open.db, alice, null);
		await open.db
			.insertInto('tickets')
			.values({
				id: 't1',
				user_id: 'alice',
				credential_id: 'cred-a',
				nonce: 'n1',
				issued_at: AT,
				expires_at: '2027-01-01T00:00:00.000Z',
				used_at: AT,
				used_by_submission: 's1'
			})
			.execute();
		const manifest = sampleManifest({ envelopeId: 'e1', docHash: 'd'.repeat(64) });
		await open.db
			.insertInto('submissions')
			.values({
				id: 's1',
				envelope_id: 'e1',
				seq: 1,
				user_id: 'alice',
				credential_id: 'cred-a',
				ticket_id: 't1',
				manifest_json: canonicalJson(manifest),
				manifest_hash: 'f'.repeat(64),
				assertion_json: '{}',
				device_time: AT,
				received_at: AT,
				status: 'accepted'
			})
			.execute();
		const pull = await pullChanges(open.db, alice, cursor);
		expect(pull.envelopes.map((e) => e.accepted)).toEqual([[manifest]]);
	});

	it('a revision (new document) and an unassignment both count as changes', async () => {
		await addEnvelope('e1');
		const { cursor } = await pullChanges(open.db, alice, null);
		await open.db.updateTable('envelopes').set({ revision: 2 }).where('id', '=', 'e1').execute();
		const revised = await pullChanges(open.db, alice, cursor);
		expect(revised.items.map((i) => i.revision)).toEqual([2]);
		const seqBefore = decodeCursor(revised.cursor);
		await open.db.deleteFrom('envelope_signers').where('envelope_id', '=', 'e1').execute();
		const row = await open.db
			.selectFrom('envelopes')
			.select('change_seq')
			.executeTakeFirstOrThrow();
		expect(row.change_seq).toBeGreaterThan(seqBefore);
	});

	it('pages are capped and continue where the last one ended, missing nothing', async () => {
		for (let i = 0; i < PULL_PAGE + 5; i++) await addEnvelope(`e${String(i).padStart(3, '0')}`);
		const first = await pullChanges(open.db, alice, null);
		expect(first.items).toHaveLength(PULL_PAGE);
		expect(first.more).toBe(true);
		const second = await pullChanges(open.db, alice, first.cursor);
		expect(second.more).toBe(false);
		const all = new Set([...first.items, ...second.items].map((i) => i.id));
		expect(all.size).toBe(PULL_PAGE + 5);
	});

	it('a cursor from the future (a replaced database) starts over; a garbled one means everything', async () => {
		await addEnvelope('e1');
		expect((await pullChanges(open.db, alice, encodeCursor(999_999))).items).toHaveLength(1);
		expect((await pullChanges(open.db, alice, 'not-a-cursor')).items).toHaveLength(1);
	});
});

describe('missingBlobs', () => {
	async function storeImage(bytes: number[]): Promise<string> {
		const hash = await blobs.put(new Uint8Array(bytes));
		await open.db
			.insertInto('blobs')
			.values({ sha256: hash, size: bytes.length, media_type: 'image/png', created_at: AT })
			.execute();
		return hash;
	}

	it('names only the images the server lacks, counting a row without its file as missing', async () => {
		const held = await storeImage([1, 2, 3]);
		await open.db
			.updateTable('users')
			.set({ default_signature: held })
			.where('id', '=', 'alice')
			.execute();
		const rowOnly = 'e'.repeat(64);
		await open.db
			.insertInto('blobs')
			.values({ sha256: rowOnly, size: 3, media_type: 'image/png', created_at: AT })
			.execute();
		await open.db
			.updateTable('users')
			.set({ default_signature: rowOnly })
			.where('id', '=', 'bob')
			.execute();
		const unknown = 'a'.repeat(64);
		expect(await missingBlobs(open.db, blobs, alice, [held, rowOnly, unknown, unknown])).toEqual([
			rowOnly,
			unknown
		]);
		expect(await missingBlobs(open.db, blobs, alice, [])).toEqual([]);
	});

	it("is no oracle: another user's signature and a seal the asker is not authorised for read as missing", async () => {
		const bobs = await storeImage([4, 5, 6]);
		await open.db
			.updateTable('users')
			.set({ default_signature: bobs })
			.where('id', '=', 'bob')
			.execute();
		const sealImage = await storeImage([7, 8, 9]);
		await insertSeal(open.db, {
			id: 'seal-1',
			orgId: 'org',
			createdBy: 'alice',
			image: sealImage,
			at: AT
		});
		// Held by the server, but neither is Alice's to name: the answer is the same as for nothing.
		expect(await missingBlobs(open.db, blobs, alice, [bobs, sealImage])).toEqual([bobs, sealImage]);
		// Bob's own signature is his; once Alice holds the seal's authorisation, its image is hers.
		const bob = { ...alice, id: 'bob', display_name: 'bob' };
		expect(await missingBlobs(open.db, blobs, bob, [bobs])).toEqual([]);
		await open.db
			.insertInto('seal_authorisations')
			.values({
				id: 'auth-1',
				seal_id: 'seal-1',
				user_id: 'alice',
				granted_at: AT,
				revoked_at: null
			})
			.execute();
		expect(await missingBlobs(open.db, blobs, alice, [bobs, sealImage])).toEqual([bobs]);
	});
});
