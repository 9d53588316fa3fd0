import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openDatabase, migrateToLatest, type OpenDatabase } from './db';
import type { User } from './db/schema';
import { BlobStore } from './blob-store';
import { seedIfEmpty, DEMO_SEAL_ID } from './seed';
import { listMySeals } from './seals';
import { verifyAuditLog } from './audit';
import {
	authoriseSeal,
	createSeal,
	listOrgSeals,
	revokeSeal,
	setSealStatus,
	updateSeal,
	type AdminSealDeps
} from './admin-seals';
import { sampleManifest, placeOf } from '$lib/domain/fixtures';

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
	open = openDatabase(`sqlite:${join(dir, 'app.db')}`);
	await migrateToLatest(open);
	const blobs = new BlobStore(join(dir, 'blobs'), 1 << 24);
	deps = { db: open.db, blobs, clock };
	await seedIfEmpty(open.db, blobs, clock, true);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	signer = await addUser('user-signer', admin.org_id);
	await open.db
		.insertInto('organisations')
		.values({ id: 'org-other', name: 'Other', name_en: 'Other', created_at: at })
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

	it('SA1: regenerating keeps the id, changes the image and audits the new image', async () => {
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
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
		// Another organisation's admin cannot touch it.
		const otherAdmin = await addUser('admin-other', 'org-other', 'admin');
		expect(
			await updateSeal(deps, otherAdmin, created.id, { name: 'x', spec: { orgName: '丙' } })
		).toMatchObject({ ok: false, code: 'NOT_FOUND' });
	});
});

describe('authorisations and status', () => {
	it('SA2/SK1: grant, revoke and disable decide what GET /api/me/seals lists, each audited', async () => {
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
		expect(kinds.slice(-3)).toEqual(['seal.created', 'seal.authorised', 'seal.revoked']);
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
	it('SA4: counts accepted manifests that stamp with the seal', async () => {
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
		const seals = await listOrgSeals(open.db, admin.org_id);
		const demo = seals.find((s) => s.id === DEMO_SEAL_ID);
		// A manifest naming the seal twice (fill and free seal) counts once.
		expect(demo?.usageCount).toBe(1);
		expect(demo?.authorised.map((a) => a.userId)).toEqual([admin.id]);
		expect(await listOrgSeals(open.db, 'org-other')).toEqual([]);
	});
});
