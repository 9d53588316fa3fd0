import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty, DEMO_SEAL_ID } from '../platform/seed';
import { imageResponse, listMySeals } from './seals';
import { verifyAuditLog } from '../audit';
import {
	authoriseSeal,
	createPhotoSeal,
	createSeal,
	listOrgSeals,
	revokeSeal,
	setSealStatus,
	updateSeal,
	type AdminSealDeps
} from './admin-seals';
import { sealUseWrites } from './seal-uses';
import { sampleManifest, placeOf } from '$lib/domain/fixtures';
import { openTestDatabase } from '../../../../tests/support/test-db';

// Real SQLite file, real blob store and the real rasteriser; test names cite SPEC SA1–SA4.

let dir: string;
let open: OpenDatabase;
let deps: AdminSealDeps;
let admin: User;
let signer: User;
let stranger: User;
const clock = () => new Date('2026-03-01T08:00:00Z');
const at = clock().toISOString();

async function addUser(id: string, orgId: string, role: User['role'] = 'signer'): Promise<User> {
	await open.db
		.insertInto('users')
		.values({ id, org_id: orgId, display_name: id, role, created_at: at })
		.execute();
	return open.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function auditKinds(): Promise<string[]> {
	const rows = await open.db.selectFrom('audit_log').select('kind').orderBy('seq').execute();
	return rows.map((r) => r.kind);
}

async function mySealIds(user: User): Promise<string[]> {
	return (await listMySeals(open.db, user)).seals.map((s) => s.id);
}

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-admin-seals-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	const blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 24);
	deps = { db: open.db, blobs, clock };
	await seedIfEmpty(open.db, blobs, clock, true);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	signer = await addUser('user-signer', admin.org_id);
	await open.db
		.insertInto('organisations')
		// Certified like the demo (SPEC OC5), so the tests here are about seals, not certification.
		.values({
			id: 'org-other',
			name: 'Other',
			name_en: 'Other',
			created_at: at,
			cert_state: 'certified'
		})
		.execute();
	stranger = await addUser('user-stranger', 'org-other');
});

afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('creating a generated seal', () => {
	it('SA1: stores the record, the spec and a readable transparent PNG, and audits seal.created', async () => {
		const result = await createSeal(deps, admin, {
			name: '财务专用章',
			spec: { shape: 'oval', orgName: '测试有限公司', centreText: '财务专用章' }
		});
		if (!result.ok) throw new Error(result.message);
		const row = await open.db
			.selectFrom('seals')
			.selectAll()
			.where('id', '=', result.id)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({
			org_id: admin.org_id,
			name: '财务专用章',
			shape: 'oval',
			status: 'active',
			image_hash: result.image,
			created_by: admin.id
		});
		expect(JSON.parse(row.spec_json!)).toMatchObject({ orgName: '测试有限公司', shape: 'oval' });
		const png = await deps.blobs.get(result.image);
		expect(png).not.toBeNull();
		const meta = await sharp(png!).metadata();
		expect(meta.format).toBe('png');
		expect(meta.hasAlpha).toBe(true);
		// 300 dpi at the oval's real size: width in pixels matches widthMm.
		expect(meta.width).toBe(Math.round((row.width_mm / 25.4) * 300));
		const blobRow = await open.db
			.selectFrom('blobs')
			.select('media_type')
			.where('sha256', '=', result.image)
			.executeTakeFirst();
		expect(blobRow?.media_type).toBe('image/png');
		expect(await auditKinds()).toContain('seal.created');
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
	});

	it('SA1: an invalid spec is refused with its problems and nothing is written', async () => {
		const before = await open.db.selectFrom('seals').select('id').execute();
		const auditBefore = await auditKinds();
		const result = await createSeal(deps, admin, {
			name: '合同章',
			spec: { shape: 'round', orgName: '', widthMm: 5, colour: 'red' }
		});
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.code).toBe('SEAL_SPEC_INVALID');
		const fields = (result.details?.problems as { field: string }[]).map((p) => p.field);
		expect(fields).toEqual(expect.arrayContaining(['orgName', 'widthMm', 'colour']));
		expect(await open.db.selectFrom('seals').select('id').execute()).toEqual(before);
		expect(await auditKinds()).toEqual(auditBefore);
	});

	it('SA1: an empty seal name is refused', async () => {
		const result = await createSeal(deps, admin, { name: '  ', spec: { orgName: '测试公司' } });
		expect(result).toMatchObject({ ok: false, code: 'SEAL_SPEC_INVALID' });
	});

	it('SA1/SA6: regenerating keeps the id, changes the image and audits seal.regenerated with the old image', async () => {
		const created = await createSeal(deps, admin, { name: '公章', spec: { orgName: '甲公司' } });
		if (!created.ok) throw new Error(created.message);
		const updated = await updateSeal(deps, admin, created.id, {
			name: '公章',
			spec: { orgName: '乙公司' }
		});
		if (!updated.ok) throw new Error(updated.message);
		expect(updated.image).not.toBe(created.image);
		const seal = (await listOrgSeals(open.db, admin.org_id)).find((s) => s.id === created.id)!;
		expect(seal.image).toBe(updated.image);
		expect(seal.spec?.orgName).toBe('乙公司');
		expect(await deps.blobs.has(updated.image)).toBe(true);
		const last = await open.db
			.selectFrom('audit_log')
			.select(['kind', 'subject', 'data'])
			.orderBy('seq', 'desc')
			.executeTakeFirstOrThrow();
		expect(last.kind).toBe('seal.regenerated');
		expect(last.subject).toBe(created.id);
		expect(JSON.parse(last.data)).toEqual({
			name: '公章',
			imageHash: updated.image,
			previousImageHash: created.image
		});
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
		// Another organisation's admin cannot touch it.
		const otherAdmin = await addUser('admin-other', 'org-other', 'admin');
		expect(
			await updateSeal(deps, otherAdmin, created.id, { name: 'x', spec: { orgName: '丙' } })
		).toMatchObject({ ok: false, code: 'NOT_FOUND' });
	});
});

describe('authorisations and status', () => {
	it('SA2/SA3/SA6/SK1: grant, revoke and disable decide what GET /api/me/seals lists, each audited', async () => {
		const created = await createSeal(deps, admin, { name: '公章', spec: { orgName: '甲公司' } });
		if (!created.ok) throw new Error(created.message);
		expect(await mySealIds(signer)).toEqual([]);

		expect((await authoriseSeal(deps, admin, created.id, signer.id)).ok).toBe(true);
		// A second grant is a no-op, not a second row or audit event.
		expect((await authoriseSeal(deps, admin, created.id, signer.id)).ok).toBe(true);
		expect(await mySealIds(signer)).toEqual([created.id]);
		const listed = (await listOrgSeals(open.db, admin.org_id)).find((s) => s.id === created.id);
		expect(listed?.authorised.map((a) => a.userId)).toEqual([signer.id]);

		expect((await setSealStatus(deps, admin, created.id, 'disabled')).ok).toBe(true);
		expect(await mySealIds(signer)).toEqual([]);
		expect((await setSealStatus(deps, admin, created.id, 'active')).ok).toBe(true);
		expect(await mySealIds(signer)).toEqual([created.id]);

		expect((await revokeSeal(deps, admin, created.id, signer.id)).ok).toBe(true);
		expect(await mySealIds(signer)).toEqual([]);
		const grant = await open.db
			.selectFrom('seal_authorisations')
			.selectAll()
			.where('seal_id', '=', created.id)
			.executeTakeFirstOrThrow();
		expect(grant.revoked_at).toBe(at);

		const kinds = (await auditKinds()).filter((k) => k.startsWith('seal.'));
		expect(kinds.slice(-5)).toEqual([
			'seal.created',
			'seal.authorised',
			'seal.disabled',
			'seal.enabled',
			'seal.revoked'
		]);
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
	});

	it('SA2: a user of another organisation cannot be authorised', async () => {
		expect(await authoriseSeal(deps, admin, DEMO_SEAL_ID, stranger.id)).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		expect(await mySealIds(stranger)).toEqual([]);
	});
});

describe('the seal list', () => {
	it('SA4/SA7: counts stored submissions that stamp with the seal, each once', async () => {
		const envelopeId = (
			await open.db.selectFrom('envelopes').select('id').executeTakeFirstOrThrow()
		).id;
		const image = 'a'.repeat(64);
		const manifest = sampleManifest({
			envelopeId,
			fills: [
				{
					...placeOf('f-seal-a'),
					kind: 'seal',
					sealId: DEMO_SEAL_ID,
					image,
					sizeMm: { width: 42, height: 42 }
				}
			],
			seals: [
				{
					sealId: DEMO_SEAL_ID,
					image,
					page: 1,
					centre: { x: 100, y: 100 },
					sizeMm: { width: 42, height: 42 }
				}
			],
			ridingSeams: []
		});
		await open.db
			.insertInto('credentials')
			.values({
				id: 'cred-admin',
				user_id: admin.id,
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
				id: 'ticket-1',
				user_id: admin.id,
				credential_id: 'cred-admin',
				nonce: 'n',
				issued_at: at,
				expires_at: at,
				used_at: at,
				used_by_submission: 'sub-1'
			})
			.execute();
		await open.db
			.insertInto('submissions')
			.values({
				id: 'sub-1',
				envelope_id: envelopeId,
				seq: 1,
				user_id: admin.id,
				credential_id: 'cred-admin',
				ticket_id: 'ticket-1',
				manifest_json: JSON.stringify(manifest),
				manifest_hash: 'h'.repeat(64),
				assertion_json: '{}',
				device_time: at,
				received_at: at,
				status: 'accepted'
			})
			.execute();
		// What ingest writes beside the submission (SA7); the real ingest is in seal-uses.test.ts.
		for (const write of sealUseWrites(open.db, {
			id: 'sub-1',
			envelopeId,
			receivedAt: at,
			manifest
		})) {
			await write.execute();
		}
		const seals = await listOrgSeals(open.db, admin.org_id);
		const demo = seals.find((s) => s.id === DEMO_SEAL_ID);
		// A manifest naming the seal twice (fill and free seal) counts once.
		expect(demo?.usageCount).toBe(1);
		expect(demo?.authorised.map((a) => a.userId)).toEqual([admin.id]);
		expect(await listOrgSeals(open.db, 'org-other')).toEqual([]);
	});
});

describe('status changes', () => {
	it('SA6: disabling or enabling twice audits once each, with the seal name', async () => {
		const created = await createSeal(deps, admin, { name: '公章', spec: { orgName: '甲公司' } });
		if (!created.ok) throw new Error(created.message);
		const before = (await auditKinds()).length;
		for (const status of ['disabled', 'disabled', 'active', 'active'] as const)
			expect((await setSealStatus(deps, admin, created.id, status)).ok).toBe(true);
		const rows = await open.db
			.selectFrom('audit_log')
			.select(['kind', 'subject', 'data', 'actor'])
			.where('seq', '>', before)
			.orderBy('seq')
			.execute();
		expect(rows).toEqual([
			{ kind: 'seal.disabled', subject: created.id, data: '{"name":"公章"}', actor: admin.id },
			{ kind: 'seal.enabled', subject: created.id, data: '{"name":"公章"}', actor: admin.id }
		]);
		const otherAdmin = await addUser('admin-other', 'org-other', 'admin');
		expect(await setSealStatus(deps, otherAdmin, created.id, 'disabled')).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		expect((await auditKinds()).length).toBe(before + 2);
	});
});

/** A w × h transparent PNG with a red disc, as the browser's canvas.toBlob makes it. */
async function sealPng(w: number, h = w): Promise<Uint8Array> {
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><ellipse cx="${w / 2}" cy="${h / 2}" rx="${w / 2 - 2}" ry="${h / 2 - 2}" fill="none" stroke="#d4000f" stroke-width="${Math.max(2, w / 30)}"/></svg>`;
	return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

async function sealCount(): Promise<number> {
	return (await open.db.selectFrom('seals').select('id').execute()).length;
}

describe('seals from a photo', () => {
	const round = { name: '照片公章', shape: 'round', widthMm: 42, heightMm: 42 };

	it('SA5: stores the PNG as is with no spec, audits seal.created, and serves it in the signing kit', async () => {
		const png = await sealPng(600);
		const result = await createPhotoSeal(deps, admin, round, png);
		if (!result.ok) throw new Error(result.message);
		const row = await open.db
			.selectFrom('seals')
			.selectAll()
			.where('id', '=', result.id)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({
			name: '照片公章',
			shape: 'round',
			width_mm: 42,
			height_mm: 42,
			spec_json: null,
			status: 'active',
			image_hash: result.image
		});
		expect(Buffer.from((await deps.blobs.get(result.image))!)).toEqual(Buffer.from(png));
		const blob = await open.db
			.selectFrom('blobs')
			.selectAll()
			.where('sha256', '=', result.image)
			.executeTakeFirstOrThrow();
		expect(blob).toMatchObject({ size: png.byteLength, media_type: 'image/png' });
		const last = await open.db
			.selectFrom('audit_log')
			.select(['kind', 'subject', 'data'])
			.orderBy('seq', 'desc')
			.executeTakeFirstOrThrow();
		expect(last).toEqual({
			kind: 'seal.created',
			subject: result.id,
			data: JSON.stringify({ imageHash: result.image, name: '照片公章' })
		});

		const listed = (await listOrgSeals(open.db, admin.org_id)).find((s) => s.id === result.id);
		expect(listed).toMatchObject({ spec: null, image: result.image, status: 'active' });

		// Authorised like any seal: the kit lists it and the blob endpoint serves it to the signer.
		expect((await authoriseSeal(deps, admin, result.id, signer.id)).ok).toBe(true);
		const kit = await listMySeals(open.db, signer);
		expect(kit.seals).toContainEqual({
			id: result.id,
			name: '照片公章',
			shape: 'round',
			sizeMm: { width: 42, height: 42 },
			image: result.image
		});
		const served = await imageResponse(open.db, deps.blobs, signer, result.image);
		expect(served?.headers.get('Content-Type')).toBe('image/png');
		expect(await imageResponse(open.db, deps.blobs, stranger, result.image)).toBeNull();
		expect((await setSealStatus(deps, admin, result.id, 'disabled')).ok).toBe(true);
		expect(await mySealIds(signer)).toEqual([]);
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
	});

	it('SA6/R20: creating opens the seal’s first image version; regenerating closes it and opens the new one; the same pixels and size change nothing', async () => {
		const versions = (sealId: string) =>
			open.db
				.selectFrom('seal_versions')
				.select(['image_hash', 'width_mm', 'height_mm', 'valid_from', 'valid_until'])
				.where('seal_id', '=', sealId)
				.orderBy('valid_from')
				.orderBy('valid_until', 'desc')
				.execute();
		const created = await createSeal(deps, admin, { name: '公章', spec: { orgName: '甲公司' } });
		if (!created.ok) throw new Error(created.message);
		const [first] = await versions(created.id);
		expect(first).toMatchObject({
			image_hash: created.image,
			width_mm: 42,
			height_mm: 42,
			valid_until: null
		});
		const again = await updateSeal(deps, admin, created.id, {
			name: '公章二',
			spec: { orgName: '甲公司' }
		});
		expect(again).toMatchObject({ ok: true, image: created.image });
		expect(await versions(created.id)).toEqual([first]);
		const updated = await updateSeal(deps, admin, created.id, {
			name: '公章',
			spec: { orgName: '乙公司', widthMm: 40, heightMm: 40 }
		});
		if (!updated.ok) throw new Error(updated.message);
		const after = await versions(created.id);
		expect(after).toHaveLength(2);
		const [old, current] = after[0]!.valid_until === null ? [after[1]!, after[0]!] : after;
		expect(old).toMatchObject({ image_hash: created.image, valid_until: current!.valid_from });
		expect(current).toMatchObject({
			image_hash: updated.image,
			width_mm: 40,
			height_mm: 40,
			valid_until: null
		});
		// A photo seal has its version from the start too.
		const photo = await createPhotoSeal(
			deps,
			admin,
			{ name: '财务章', shape: 'oval', widthMm: 45, heightMm: 30 },
			await sealPng(450, 300)
		);
		if (!photo.ok) throw new Error(photo.message);
		expect(await versions(photo.id)).toEqual([
			expect.objectContaining({
				image_hash: photo.image,
				width_mm: 45,
				height_mm: 30,
				valid_until: null
			})
		]);
	});

	it('SA5: an oval keeps its own proportions', async () => {
		const result = await createPhotoSeal(
			deps,
			admin,
			{ name: '财务章', shape: 'oval', widthMm: 45, heightMm: 30 },
			await sealPng(450, 300)
		);
		expect(result.ok).toBe(true);
	});

	it('SA5: refuses a photo seal from a spec regeneration with SEAL_NOT_GENERATED, writing nothing', async () => {
		const result = await createPhotoSeal(deps, admin, round, await sealPng(600));
		if (!result.ok) throw new Error(result.message);
		const before = await auditKinds();
		expect(
			await updateSeal(deps, admin, result.id, { name: '公章', spec: { orgName: '甲公司' } })
		).toMatchObject({ ok: false, code: 'SEAL_NOT_GENERATED' });
		const row = await open.db
			.selectFrom('seals')
			.select(['image_hash', 'spec_json', 'name'])
			.where('id', '=', result.id)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ image_hash: result.image, spec_json: null, name: '照片公章' });
		expect(await auditKinds()).toEqual(before);
	});

	it('SA5: refuses a JPEG, a non-image, a truncated PNG, tiny and huge images, bad sizes and names, writing nothing', async () => {
		const png = await sealPng(600);
		const jpeg = new Uint8Array(await sharp(Buffer.from(png)).jpeg().toBuffer());
		const huge = new Uint8Array(
			await sharp({
				create: {
					width: 4100,
					height: 4100,
					channels: 4,
					background: { r: 0, g: 0, b: 0, alpha: 0 }
				}
			})
				.png()
				.toBuffer()
		);
		const cases: [Parameters<typeof createPhotoSeal>[2], Uint8Array, string, string[]?][] = [
			[round, jpeg, 'IMAGE_INVALID'],
			[round, new TextEncoder().encode('%PDF-1.7 not an image'), 'IMAGE_INVALID'],
			[round, png.slice(0, png.byteLength - 20), 'IMAGE_INVALID'],
			[round, await sealPng(20), 'IMAGE_INVALID'],
			[round, huge, 'IMAGE_TOO_LARGE'],
			[round, new Uint8Array(5 * 1024 * 1024 + 1), 'IMAGE_TOO_LARGE'],
			[{ ...round, widthMm: 5, heightMm: 5 }, png, 'SEAL_SPEC_INVALID', ['widthMm', 'heightMm']],
			[{ ...round, heightMm: 40 }, png, 'SEAL_SPEC_INVALID', ['heightMm', 'image']],
			[{ ...round, shape: 'star' }, png, 'SEAL_SPEC_INVALID', ['shape']],
			[round, await sealPng(600, 400), 'SEAL_SPEC_INVALID', ['image']],
			[{ ...round, name: ' ' }, png, 'SEAL_SPEC_INVALID', ['label']]
		];
		const seals = await sealCount();
		const audit = await auditKinds();
		const blobRows = await open.db.selectFrom('blobs').select('sha256').execute();
		for (const [input, bytes, code, fields] of cases) {
			const result = await createPhotoSeal(deps, admin, input, bytes);
			expect(result, code).toMatchObject({ ok: false, code });
			if (fields && !result.ok)
				expect((result.details?.problems as { field: string }[]).map((p) => p.field)).toEqual(
					fields
				);
		}
		expect(await sealCount()).toBe(seals);
		expect(await auditKinds()).toEqual(audit);
		expect(await open.db.selectFrom('blobs').select('sha256').execute()).toEqual(blobRows);
	});
});
