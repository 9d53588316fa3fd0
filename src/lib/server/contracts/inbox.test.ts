import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty, DEMO_CONTRACT_TITLE, DEMO_SIGNER_ID } from '../platform/seed';
import { listInbox, myStateOf, participantDocument } from './envelopes';
import { documentResponse } from '.';
import type { Manifest } from '$lib/domain/manifest';
import { openTestDatabase } from '../../../../tests/support/test-db';

// GET /api/inbox and GET /api/envelopes/[id]/document over a real SQLite file and blob folder.

let dir: string;
let open: OpenDatabase;
let blobs: FolderBlobStore;
let admin: User;
let envelopeId: string;
const clock = () => new Date('2026-03-01T08:00:00Z');

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-inbox-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	blobs = new FolderBlobStore(join(dir, 'blobs'), 8 << 20);
	await seedIfEmpty(open.db, blobs, clock, true);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	envelopeId = (await open.db.selectFrom('envelopes').select('id').executeTakeFirstOrThrow()).id;
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

/** Stores an accepted submission of the admin with the given decision (no ceremony needed here). */
async function accept(decision: Manifest['decision'], seq = 1) {
	const credentialId = `cred-${seq}`;
	const ticketId = randomUUID();
	await open.db
		.insertInto('credentials')
		.values({
			id: credentialId,
			user_id: admin.id,
			public_key: new Uint8Array([1]),
			counter: 0,
			transports: '[]',
			device_type: 'singleDevice',
			backed_up: 0,
			name: 'test',
			created_at: clock().toISOString(),
			last_used_at: null,
			revoked_at: null
		})
		.execute();
	await open.db
		.insertInto('tickets')
		.values({
			id: ticketId,
			user_id: admin.id,
			credential_id: credentialId,
			nonce: 'n',
			issued_at: clock().toISOString(),
			expires_at: '2026-04-01T00:00:00Z',
			used_at: clock().toISOString(),
			used_by_submission: null
		})
		.execute();
	await open.db
		.insertInto('submissions')
		.values({
			id: randomUUID(),
			envelope_id: envelopeId,
			seq,
			user_id: admin.id,
			credential_id: credentialId,
			ticket_id: ticketId,
			manifest_json: JSON.stringify({ signerId: DEMO_SIGNER_ID, revision: 1, decision }),
			manifest_hash: 'h'.repeat(64),
			assertion_json: '{}',
			device_time: clock().toISOString(),
			received_at: clock().toISOString(),
			status: 'accepted'
		})
		.execute();
}

/** A second organisation's signer: a user who must see nothing of the demo organisation. */
async function outsider(role: 'admin' | 'signer' = 'signer'): Promise<User> {
	const orgId = randomUUID();
	await open.db
		.insertInto('organisations')
		.values({ id: orgId, name: '其他', name_en: 'Other', created_at: clock().toISOString() })
		.execute();
	const id = randomUUID();
	await open.db
		.insertInto('users')
		.values({
			id,
			org_id: orgId,
			display_name: 'Other',
			role,
			created_at: clock().toISOString()
		})
		.execute();
	return open.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('listInbox', () => {
	it('lists the envelopes the user signs, with size, pages, hash and a pending state', async () => {
		const items = await listInbox(open.db, admin.id);
		expect(items).toHaveLength(1);
		const [item] = items;
		const env = await open.db
			.selectFrom('envelopes')
			.selectAll()
			.where('id', '=', envelopeId)
			.executeTakeFirstOrThrow();
		const pdf = (await blobs.get(env.doc_sha256))!;
		const org = await open.db
			.selectFrom('organisations')
			.selectAll()
			.where('id', '=', env.org_id)
			.executeTakeFirstOrThrow();
		expect(item).toEqual({
			id: envelopeId,
			title: DEMO_CONTRACT_TITLE,
			status: 'sent',
			revision: env.revision,
			docHash: env.doc_sha256,
			pageCount: env.page_count,
			size: pdf.byteLength,
			myState: 'pending',
			state: 'sent',
			createdAt: env.created_at,
			finalSha256: null,
			deadlineAt: null,
			// Who sent it, for the details page: the organisation and the admin who created it.
			sender: { organisation: org.name, organisationEn: org.name_en, person: admin.display_name },
			// Whose contract it is, so a device of a person in several organisations keeps it apart (MO8).
			orgId: env.org_id,
			reminders: null
		});
	});

	it('reports the user own decision from accepted submissions', async () => {
		await accept({ kind: 'signed' });
		expect((await listInbox(open.db, admin.id))[0]!.myState).toBe('signed');
	});

	it('reports a rejection as returned', async () => {
		await accept({ kind: 'rejected', reason: '价格有误' });
		expect((await listInbox(open.db, admin.id))[0]!.myState).toBe('rejected');
	});

	it('LC2: a decision on an earlier revision leaves the user pending on the current one', async () => {
		await accept({ kind: 'signed' });
		await open.db.updateTable('envelopes').set({ revision: 2 }).execute();
		expect((await listInbox(open.db, admin.id))[0]).toMatchObject({
			myState: 'pending',
			state: 'sent'
		});
	});

	it('leaves drafts out and keeps revoked envelopes so a device learns why', async () => {
		await open.db.updateTable('envelopes').set({ status: 'draft' }).execute();
		expect(await listInbox(open.db, admin.id)).toEqual([]);
		await open.db.updateTable('envelopes').set({ status: 'revoked' }).execute();
		expect((await listInbox(open.db, admin.id))[0]!.status).toBe('revoked');
	});

	it('shows nothing to a user who signs nothing', async () => {
		expect(await listInbox(open.db, (await outsider()).id)).toEqual([]);
	});
});

describe('myStateOf', () => {
	const manifest = (signerId: string, decision: Manifest['decision']) =>
		({ signerId, decision }) as Manifest;
	it('is signed only when every role the user holds has signed', () => {
		const signedA = manifest('a', { kind: 'signed' });
		expect(myStateOf(['a', 'b'], [signedA])).toBe('pending');
		expect(myStateOf(['a', 'b'], [signedA, manifest('b', { kind: 'signed' })])).toBe('signed');
		expect(myStateOf(['a'], [manifest('x', { kind: 'signed' })])).toBe('pending');
		expect(myStateOf([], [])).toBe('pending');
	});
	it('is rejected as soon as one role rejected', () => {
		expect(
			myStateOf(
				['a', 'b'],
				[manifest('a', { kind: 'signed' }), manifest('b', { kind: 'rejected', reason: 'x' })]
			)
		).toBe('rejected');
	});
});

describe('participant document', () => {
	it('is served to a signer as a stream with the SHA-256 as ETag and its length', async () => {
		const doc = await participantDocument(open.db, admin, envelopeId);
		expect(doc).not.toBeNull();
		const response = (await documentResponse(blobs, doc!))!;
		expect(response.status).toBe(200);
		expect(response.headers.get('Content-Type')).toBe('application/pdf');
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect(response.headers.get('Content-Length')).toBe(String(bytes.byteLength));
		const sha = createHash('sha256').update(bytes).digest('hex');
		expect(sha).toBe(doc!.sha256);
		expect(response.headers.get('ETag')).toBe(`"${sha}"`);
	});

	it('answers 304 when the client already holds those bytes', async () => {
		const doc = (await participantDocument(open.db, admin, envelopeId))!;
		const request = new Request('http://x/', { headers: { 'If-None-Match': `"${doc.sha256}"` } });
		const response = (await documentResponse(blobs, doc, request))!;
		expect(response.status).toBe(304);
		expect(response.body).toBeNull();
	});

	it('is served to an admin of the organisation who is not a signer', async () => {
		await open.db.deleteFrom('envelope_signers').execute();
		expect(await participantDocument(open.db, admin, envelopeId)).not.toBeNull();
	});

	it('is hidden from other users and other organisations admins', async () => {
		expect(await participantDocument(open.db, await outsider('signer'), envelopeId)).toBeNull();
		expect(await participantDocument(open.db, await outsider('admin'), envelopeId)).toBeNull();
		expect(await participantDocument(open.db, admin, 'no-such-id')).toBeNull();
	});

	it('is null when the blob is missing, never an empty PDF', async () => {
		expect(await documentResponse(blobs, { sha256: 'e'.repeat(64), title: 't' })).toBeNull();
	});
});
