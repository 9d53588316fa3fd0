import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty, DEMO_SEAL_ID, DEMO_SEAL_NAME } from '../platform/seed';
import {
	clearSignature,
	imageResponse,
	listMySeals,
	readCapped,
	saveSignature,
	SIGNATURE_MAX_BYTES
} from './seals';
import { sampleManifest, placeOf } from '$lib/domain/fixtures';
import { photoJpeg, sha256Hex, signaturePng } from '../../../../tests/support/images';
import { openTestDatabase } from '../../../../tests/support/test-db';

// Real SQLite file and blob store, seeded exactly as a fresh server is; test names cite the
// SPEC rule (SK1–SK3) they prove.

let dir: string;
let open: OpenDatabase;
let blobs: FolderBlobStore;
let admin: User;
let outsider: User;
let cosigner: User;
let envelopeId: string;
const clock = () => new Date('2026-03-01T08:00:00Z');
const at = clock().toISOString();

async function addUser(id: string, orgId: string, role: User['role'] = 'signer'): Promise<User> {
	await open.db
		.insertInto('users')
		.values({ id, org_id: orgId, display_name: id, role, created_at: at })
		.execute();
	return open.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function status(user: User, hash: string): Promise<number> {
	const response = await imageResponse(open.db, blobs, user, hash);
	return response?.status ?? 404;
}

async function demoSealImage(): Promise<string> {
	const row = await open.db
		.selectFrom('seals')
		.select('image_hash')
		.where('id', '=', DEMO_SEAL_ID)
		.executeTakeFirstOrThrow();
	return row.image_hash;
}

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-seals-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 24);
	await seedIfEmpty(open.db, blobs, clock, true);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	envelopeId = (await open.db.selectFrom('envelopes').select('id').executeTakeFirstOrThrow()).id;
	outsider = await addUser('user-outsider', admin.org_id);
	cosigner = await addUser('user-cosigner', admin.org_id);
	await open.db
		.insertInto('envelope_signers')
		.values({ envelope_id: envelopeId, signer_id: 'signer-cosigner', user_id: cosigner.id })
		.execute();
});

afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('seed: the demo seal', () => {
	it('is a real record whose PNG is in the blob store under its hash', async () => {
		const seal = await open.db
			.selectFrom('seals')
			.selectAll()
			.where('id', '=', DEMO_SEAL_ID)
			.executeTakeFirstOrThrow();
		expect(seal).toMatchObject({
			org_id: admin.org_id,
			name: DEMO_SEAL_NAME,
			shape: 'round',
			width_mm: 42,
			height_mm: 42,
			status: 'active',
			created_by: admin.id
		});
		expect(JSON.parse(seal.spec_json!)).toMatchObject({ orgName: '示例科技有限公司' });
		const png = await blobs.get(seal.image_hash);
		expect(sha256Hex(png!)).toBe(seal.image_hash);
		const row = await open.db
			.selectFrom('blobs')
			.selectAll()
			.where('sha256', '=', seal.image_hash)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ media_type: 'image/png', size: png!.byteLength });
		// Real pixels: sharp decodes it, and a good share of them is opaque ink.
		const stats = await sharp(png!).stats();
		expect(stats.channels).toHaveLength(4);
		expect(stats.channels[3]!.mean).toBeGreaterThan(20);
		expect(stats.isOpaque).toBe(false);
	});
});

describe('listMySeals (GET /api/me/seals)', () => {
	it('SK1: lists the active seals the user holds an unrevoked authorisation for', async () => {
		const image = await demoSealImage();
		expect(await listMySeals(open.db, admin)).toEqual({
			seals: [
				{
					id: DEMO_SEAL_ID,
					name: DEMO_SEAL_NAME,
					shape: 'round',
					sizeMm: { width: 42, height: 42 },
					image
				}
			],
			defaultSignature: null,
			orgCertState: 'certified'
		});
		expect(await listMySeals(open.db, outsider)).toMatchObject({
			seals: [],
			defaultSignature: null
		});
	});

	it('SK1: a revoked authorisation or a disabled seal takes the seal off the list', async () => {
		await open.db.updateTable('seals').set({ status: 'disabled' }).execute();
		expect((await listMySeals(open.db, admin)).seals).toEqual([]);
		await open.db.updateTable('seals').set({ status: 'active' }).execute();
		await open.db.updateTable('seal_authorisations').set({ revoked_at: at }).execute();
		expect((await listMySeals(open.db, admin)).seals).toEqual([]);
	});
});

describe('imageResponse (GET /api/blobs/[hash])', () => {
	it('SK2: serves an authorised seal image immutable, with its hash and type', async () => {
		const image = await demoSealImage();
		const response = (await imageResponse(open.db, blobs, admin, image))!;
		expect(response.status).toBe(200);
		expect(response.headers.get('Content-Type')).toBe('image/png');
		expect(response.headers.get('X-Content-SHA256')).toBe(image);
		expect(response.headers.get('Cache-Control')).toContain('immutable');
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect(sha256Hex(bytes)).toBe(image);
	});

	it('SK2: a signer who is not authorised gets 404, as for an unknown hash or a PDF', async () => {
		const image = await demoSealImage();
		expect(await status(outsider, image)).toBe(404);
		expect(await status(admin, 'f'.repeat(64))).toBe(404);
		expect(await status(admin, 'not-a-hash')).toBe(404);
		const pdf = (await open.db.selectFrom('envelopes').select('doc_sha256').executeTakeFirst())!;
		expect(await status(admin, pdf.doc_sha256)).toBe(404);
		// Revoked: the device loses the right with the seal.
		await open.db
			.insertInto('seal_authorisations')
			.values({
				id: 'auth-out',
				seal_id: DEMO_SEAL_ID,
				user_id: outsider.id,
				granted_at: at,
				revoked_at: null
			})
			.execute();
		expect(await status(outsider, image)).toBe(200);
		await open.db
			.updateTable('seal_authorisations')
			.set({ revoked_at: at })
			.where('id', '=', 'auth-out')
			.execute();
		expect(await status(outsider, image)).toBe(404);
	});

	it('SK2: images of accepted manifests are visible to the envelope’s signers only', async () => {
		// The cosigner's accepted manifest drew with their own signature image.
		const png = await signaturePng();
		const signature = await blobs.put(png);
		await open.db
			.insertInto('blobs')
			.values({ sha256: signature, size: png.byteLength, media_type: 'image/png', created_at: at })
			.execute();
		await open.db
			.insertInto('credentials')
			.values({
				id: 'cred-cosigner',
				user_id: cosigner.id,
				public_key: new Uint8Array([1]),
				counter: 0,
				transports: '[]',
				device_type: 'singleDevice',
				backed_up: 0,
				name: 'test',
				created_at: at,
				last_used_at: null,
				revoked_at: null
			})
			.execute();
		await open.db
			.insertInto('tickets')
			.values({
				id: 'ticket-c',
				user_id: cosigner.id,
				credential_id: 'cred-cosigner',
				nonce: 'n',
				issued_at: at,
				expires_at: at,
				used_at: at,
				used_by_submission: 'sub-c'
			})
			.execute();
		const manifest = sampleManifest({
			envelopeId,
			signerId: 'signer-cosigner',
			fills: [{ ...placeOf('f-sig-a'), kind: 'signature', image: signature }],
			seals: [],
			ridingSeams: []
		});
		await open.db
			.insertInto('submissions')
			.values({
				id: 'sub-c',
				envelope_id: envelopeId,
				seq: 1,
				user_id: cosigner.id,
				credential_id: 'cred-cosigner',
				ticket_id: 'ticket-c',
				manifest_json: JSON.stringify(manifest),
				manifest_hash: 'h'.repeat(64),
				assertion_json: '{}',
				device_time: at,
				received_at: at,
				status: 'accepted'
			})
			.execute();

		expect(await status(cosigner, signature)).toBe(200);
		// The other signer of the same envelope (the admin signer) and its organisation's admin.
		expect(await status(admin, signature)).toBe(200);
		expect(await status(outsider, signature)).toBe(404);
		// An admin of another organisation sees nothing of this one.
		await open.db
			.insertInto('organisations')
			.values({ id: 'org-2', name: '另一家', name_en: 'Other', created_at: at })
			.execute();
		const stranger = await addUser('user-admin-2', 'org-2', 'admin');
		expect(await status(stranger, signature)).toBe(404);
		expect(await status(stranger, await demoSealImage())).toBe(404);
	});
});

describe('saveSignature / clearSignature (PUT, DELETE /api/me/signature)', () => {
	const deps = () => ({ db: open.db, blobs, clock });

	it('SK3: stores the PNG, makes it the default, and only its owner (and admin) may see it', async () => {
		const png = await signaturePng();
		const result = await saveSignature(deps(), outsider, png);
		expect(result).toEqual({ ok: true, image: sha256Hex(png) });
		expect(sha256Hex((await blobs.get(sha256Hex(png)))!)).toBe(sha256Hex(png));
		expect((await listMySeals(open.db, outsider)).defaultSignature).toBe(sha256Hex(png));
		expect(await status(outsider, sha256Hex(png))).toBe(200);
		expect(await status(cosigner, sha256Hex(png))).toBe(404);
		expect(await status(admin, sha256Hex(png))).toBe(200);

		await clearSignature(open.db, outsider);
		expect((await listMySeals(open.db, outsider)).defaultSignature).toBeNull();
		expect(await status(outsider, sha256Hex(png))).toBe(404);
	});

	it('SK3: refuses a JPEG, a truncated PNG and one over 1 MB, and keeps the old default', async () => {
		const png = await signaturePng();
		await saveSignature(deps(), outsider, png);
		const jpeg = await saveSignature(deps(), outsider, await photoJpeg());
		expect(jpeg).toMatchObject({ ok: false, code: 'IMAGE_INVALID' });
		const cut = await saveSignature(deps(), outsider, png.slice(0, png.byteLength - 20));
		expect(cut).toMatchObject({ ok: false, code: 'IMAGE_INVALID' });
		const big = new Uint8Array(SIGNATURE_MAX_BYTES + 1);
		big.set(png);
		expect(await saveSignature(deps(), outsider, big)).toMatchObject({
			ok: false,
			code: 'IMAGE_TOO_LARGE'
		});
		expect((await listMySeals(open.db, outsider)).defaultSignature).toBe(sha256Hex(png));
	});

	it('SK3: readCapped stops reading past the limit, announced or not', async () => {
		const body = (n: number) =>
			new Request('http://x/', { method: 'PUT', body: new Uint8Array(n) });
		expect((await readCapped(body(10), 10))?.byteLength).toBe(10);
		expect(await readCapped(body(11), 10)).toBeNull();
		const stream = new ReadableStream<Uint8Array>({
			start(c) {
				c.enqueue(new Uint8Array(8));
				c.enqueue(new Uint8Array(8));
				c.close();
			}
		});
		const unannounced = new Request('http://x/', {
			method: 'PUT',
			body: stream,
			// @ts-expect-error Node's fetch needs duplex for a stream body; lib.dom lacks the key
			duplex: 'half'
		});
		expect(await readCapped(unannounced, 10)).toBeNull();
	});
});
