import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AdminSeal } from '$lib/domain/api-types';
import type { Result } from '$lib/domain/errors';
import {
	normaliseSealSpec,
	validateSealSpec,
	type SealProblem,
	type SealShape,
	type SealSpec
} from '$lib/domain/seal-svg';
import {
	PHOTO_SEAL_MAX_BYTES,
	PHOTO_SEAL_MAX_PX,
	PHOTO_SEAL_MIN_PX,
	validatePhotoSeal
} from '$lib/domain/seal-photo';
import { inspectImage } from '$lib/pdf/images';
import type { Database, User } from '../db/schema';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type { Clock } from '../platform/clock';
import { appendAudit } from '../audit/audit';
import { rasteriseSeal } from './seal-image';
import { sealUsageCounts } from './seal-uses';
import { openSealVersion } from './seal-versions';

export interface AdminSealDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
}

export type AdminSealResult<T extends object> = Result<T>;

/** Longest seal name shown in lists and on the device. */
export const SEAL_LABEL_MAX_CHARS = 40;

/**
 * Every seal of the organisation with its status, who holds an unrevoked authorisation and how
 * many stored submissions stamp with it (SA4, SA7). Why: the admin decides whom to revoke or which
 * seal to disable by seeing who can use a seal and whether it has been used.
 */
/**
 * The organisation's registered name, which a new generated seal carries along its upper arc by
 * default: the editor starts from a seal that is correct as it stands, so 完成制作 works at once.
 */
export async function organisationName(db: Kysely<Database>, orgId: string): Promise<string> {
	const row = await db
		.selectFrom('organisations')
		.select('name')
		.where('id', '=', orgId)
		.executeTakeFirst();
	return row?.name ?? '';
}

export async function listOrgSeals(db: Kysely<Database>, orgId: string): Promise<AdminSeal[]> {
	const seals = await db
		.selectFrom('seals')
		.selectAll()
		.where('org_id', '=', orgId)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	const grants = await db
		.selectFrom('seal_authorisations')
		.innerJoin('seals', 'seals.id', 'seal_authorisations.seal_id')
		.innerJoin('users', 'users.id', 'seal_authorisations.user_id')
		.select([
			'seal_authorisations.seal_id',
			'seal_authorisations.user_id',
			'seal_authorisations.granted_at',
			'users.display_name'
		])
		.where('seals.org_id', '=', orgId)
		.where('seal_authorisations.revoked_at', 'is', null)
		.orderBy('seal_authorisations.granted_at')
		.execute();
	// Counted from seal_uses (written by ingest), never by parsing the manifests on each load.
	const usage = await sealUsageCounts(db, orgId);
	return seals.map((s) => ({
		id: s.id,
		name: s.name,
		shape: s.shape,
		sizeMm: { width: s.width_mm, height: s.height_mm },
		image: s.image_hash,
		status: s.status,
		spec: s.spec_json ? (JSON.parse(s.spec_json) as SealSpec) : null,
		createdAt: s.created_at,
		authorised: grants
			.filter((g) => g.seal_id === s.id)
			.map((g) => ({ userId: g.user_id, displayName: g.display_name, grantedAt: g.granted_at })),
		usageCount: usage.get(s.id) ?? 0
	}));
}

function invalidSpec(problems: SealProblem[]): AdminSealResult<never> {
	return {
		ok: false,
		code: 'SEAL_SPEC_INVALID',
		message: `Seal spec invalid: ${problems.map((p) => `${p.field} ${p.code}`).join(', ')}`,
		details: { problems }
	};
}

function invalidName(name: string): AdminSealResult<never> | null {
	const length = Array.from(name.trim()).length;
	if (length >= 1 && length <= SEAL_LABEL_MAX_CHARS) return null;
	return {
		ok: false,
		code: 'SEAL_SPEC_INVALID',
		message: `Seal name must be 1–${SEAL_LABEL_MAX_CHARS} characters`,
		details: { problems: [{ code: length ? 'NAME_TOO_LONG' : 'NAME_EMPTY', field: 'label' }] }
	};
}

/** Validates and rasterises a spec; nothing is stored for a spec that cannot be drawn. */
async function renderSpec(
	deps: AdminSealDeps,
	partial: Partial<SealSpec>
): Promise<{ ok: true; spec: SealSpec; png: Uint8Array } | AdminSealResult<never>> {
	const spec = normaliseSealSpec(partial);
	const problems = validateSealSpec(spec);
	if (problems.length) return invalidSpec(problems);
	return { ok: true, spec, png: await rasteriseSeal(spec) };
}

/**
 * Creates a generated seal (S1) from a spec: validated first so nothing is written for a spec
 * that cannot be drawn, rasterised on the server so every device stamps the same pixels, and the
 * spec kept so the seal can be edited and regenerated. Audited as seal.created.
 */
export async function createSeal(
	deps: AdminSealDeps,
	admin: User,
	input: { name: string; spec: Partial<SealSpec> }
): Promise<AdminSealResult<{ id: string; image: string }>> {
	const badName = invalidName(input.name);
	if (badName) return badName;
	const rendered = await renderSpec(deps, input.spec);
	if (!rendered.ok) return rendered;
	const id = randomUUID();
	const now = deps.clock().toISOString();
	const name = input.name.trim();
	const image = await deps.db.transaction().execute(async (trx) => {
		const image = await storeBlob(trx, deps.blobs, rendered.png, 'image/png', now);
		await trx
			.insertInto('seals')
			.values({
				id,
				org_id: admin.org_id,
				name,
				shape: rendered.spec.shape,
				width_mm: rendered.spec.widthMm,
				height_mm: rendered.spec.heightMm,
				spec_json: JSON.stringify(rendered.spec),
				image_hash: image,
				status: 'active',
				created_at: now,
				created_by: admin.id
			})
			.execute();
		await openSealVersion(
			trx,
			id,
			image,
			{ width: rendered.spec.widthMm, height: rendered.spec.heightMm },
			now
		);
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.created',
			subject: id,
			data: { name, imageHash: image }
		});
		return image;
	});
	return { ok: true, id, image };
}

/** What a photo seal is stored with beside its PNG (SA5). */
export interface PhotoSealInput {
	name: string;
	shape: string;
	widthMm: number;
	heightMm: number;
}

/**
 * Creates a seal from a photo (方式二, SA5). The browser has already pulled the red ink out into a
 * transparent PNG (SP2); the server trusts none of that: it checks the bytes are a complete PNG of
 * sane dimensions and that the size fits the pixels (SP6) before anything is written, so a
 * refused upload leaves no seal, blob row or audit row. Stored with no spec (it cannot be
 * regenerated) and audited as seal.created.
 */
export async function createPhotoSeal(
	deps: AdminSealDeps,
	admin: User,
	input: PhotoSealInput,
	png: Uint8Array
): Promise<AdminSealResult<{ id: string; image: string }>> {
	const badName = invalidName(input.name);
	if (badName) return badName;
	const inspection = inspectImage(png, {
		maxBytes: PHOTO_SEAL_MAX_BYTES,
		maxPixels: PHOTO_SEAL_MAX_PX * PHOTO_SEAL_MAX_PX
	});
	if (!inspection.ok) return { ok: false, code: inspection.code, message: inspection.message };
	if (inspection.type !== 'png') {
		// A JPEG has no transparency: stamped over the text it would hide it behind paper.
		return { ok: false, code: 'IMAGE_INVALID', message: 'A photo seal must be a transparent PNG.' };
	}
	const { width, height } = inspection;
	const sides = [width, height];
	if (sides.some((side) => side < PHOTO_SEAL_MIN_PX)) {
		return {
			ok: false,
			code: 'IMAGE_INVALID',
			message: `The seal image is ${width}×${height} pixels; each side needs at least ${PHOTO_SEAL_MIN_PX}.`
		};
	}
	if (sides.some((side) => side > PHOTO_SEAL_MAX_PX)) {
		return {
			ok: false,
			code: 'IMAGE_TOO_LARGE',
			message: `The seal image is ${width}×${height} pixels; each side may have at most ${PHOTO_SEAL_MAX_PX}.`
		};
	}
	const problems = validatePhotoSeal({ ...input, pixelWidth: width, pixelHeight: height });
	if (problems.length) {
		return {
			ok: false,
			code: 'SEAL_SPEC_INVALID',
			message: `Photo seal invalid: ${problems.map((p) => `${p.field} ${p.code}`).join(', ')}`,
			details: { problems }
		};
	}
	const id = randomUUID();
	const now = deps.clock().toISOString();
	const name = input.name.trim();
	const image = await deps.db.transaction().execute(async (trx) => {
		const image = await storeBlob(trx, deps.blobs, png, 'image/png', now);
		await trx
			.insertInto('seals')
			.values({
				id,
				org_id: admin.org_id,
				name,
				shape: input.shape as SealShape,
				width_mm: input.widthMm,
				height_mm: input.heightMm,
				spec_json: null,
				image_hash: image,
				status: 'active',
				created_at: now,
				created_by: admin.id
			})
			.execute();
		await openSealVersion(trx, id, image, { width: input.widthMm, height: input.heightMm }, now);
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.created',
			subject: id,
			data: { name, imageHash: image }
		});
		return image;
	});
	return { ok: true, id, image };
}

async function orgSeal(db: Kysely<Database>, admin: User, sealId: string) {
	return db
		.selectFrom('seals')
		.selectAll()
		.where('id', '=', sealId)
		.where('org_id', '=', admin.org_id)
		.executeTakeFirst();
}

const NOT_FOUND: AdminSealResult<never> = {
	ok: false,
	code: 'NOT_FOUND',
	message: 'No such seal in your organisation'
};

/**
 * Regenerates a generated seal from an edited spec (a photo seal is refused: it has no spec).
 * The new image is audited as seal.regenerated with the image it replaces, so the audit trail
 * names every image the seal has ever stamped with; manifests keep the hash they stamped, so
 * past evidence still renders with the old image. The old image version is closed and the new
 * one opened in the same transaction (R20), so a device still holding the old image can sync
 * what it confirmed with a ticket issued before the change.
 */
export async function updateSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	input: { name: string; spec: Partial<SealSpec> }
): Promise<AdminSealResult<{ id: string; image: string }>> {
	const seal = await orgSeal(deps.db, admin, sealId);
	if (!seal) return NOT_FOUND;
	if (seal.spec_json === null) {
		// A photo seal's pixels are the physical seal's; a spec would replace them with a drawing.
		return {
			ok: false,
			code: 'SEAL_NOT_GENERATED',
			message: 'A seal made from a photo cannot be regenerated from a spec'
		};
	}
	const badName = invalidName(input.name);
	if (badName) return badName;
	const rendered = await renderSpec(deps, input.spec);
	if (!rendered.ok) return rendered;
	const now = deps.clock().toISOString();
	const name = input.name.trim();
	const image = await deps.db.transaction().execute(async (trx) => {
		const image = await storeBlob(trx, deps.blobs, rendered.png, 'image/png', now);
		await trx
			.updateTable('seals')
			.set({
				name,
				shape: rendered.spec.shape,
				width_mm: rendered.spec.widthMm,
				height_mm: rendered.spec.heightMm,
				spec_json: JSON.stringify(rendered.spec),
				image_hash: image
			})
			.where('id', '=', sealId)
			.execute();
		// The old image stays good for tickets issued before now (R20): closed, not replaced.
		await openSealVersion(
			trx,
			sealId,
			image,
			{ width: rendered.spec.widthMm, height: rendered.spec.heightMm },
			now
		);
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.regenerated',
			subject: sealId,
			data: { name, imageHash: image, previousImageHash: seal.image_hash }
		});
		return image;
	});
	return { ok: true, id: sealId, image };
}

/**
 * Disables or re-enables a seal (SA3, SA6). A disabled seal is offered to nobody (SK1) but keeps
 * its authorisations, so enabling it again restores exactly who could use it. Audited as
 * seal.disabled / seal.enabled only when the status changes, so a double click writes one row.
 */
export async function setSealStatus(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	status: 'active' | 'disabled'
): Promise<AdminSealResult<object>> {
	if (!(await orgSeal(deps.db, admin, sealId))) return NOT_FOUND;
	await deps.db.transaction().execute(async (trx) => {
		// Read inside the transaction: two admins toggling at once must not both audit a change.
		const seal = await trx
			.selectFrom('seals')
			.select(['name', 'status'])
			.where('id', '=', sealId)
			.executeTakeFirstOrThrow();
		if (seal.status === status) return;
		await trx.updateTable('seals').set({ status }).where('id', '=', sealId).execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: status === 'disabled' ? 'seal.disabled' : 'seal.enabled',
			subject: sealId,
			data: { name: seal.name }
		});
	});
	return { ok: true };
}

/**
 * Authorises a user of the organisation to stamp with a seal (R13); a user already authorised
 * keeps their grant, so a double click does not write two rows. Audited as seal.authorised.
 */
export async function authoriseSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	userId: string
): Promise<AdminSealResult<object>> {
	if (!(await orgSeal(deps.db, admin, sealId))) return NOT_FOUND;
	const user = await deps.db
		.selectFrom('users')
		.select('id')
		.where('id', '=', userId)
		.where('org_id', '=', admin.org_id)
		.executeTakeFirst();
	if (!user) return { ok: false, code: 'NOT_FOUND', message: 'No such user in your organisation' };
	await deps.db.transaction().execute(async (trx) => {
		const held = await trx
			.selectFrom('seal_authorisations')
			.select('id')
			.where('seal_id', '=', sealId)
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (held) return;
		await trx
			.insertInto('seal_authorisations')
			.values({
				id: randomUUID(),
				seal_id: sealId,
				user_id: userId,
				granted_at: deps.clock().toISOString(),
				revoked_at: null
			})
			.execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.authorised',
			subject: sealId,
			data: { userId }
		});
	});
	return { ok: true };
}

/**
 * Revokes a user's authorisation: the row stays with revoked_at set, so evidence stamped before
 * can still be explained, while ingest refuses new stamps (SEAL_NOT_AUTHORISED) and the device
 * drops the seal at its next kit download. Audited as seal.revoked.
 */
export async function revokeSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	userId: string
): Promise<AdminSealResult<object>> {
	if (!(await orgSeal(deps.db, admin, sealId))) return NOT_FOUND;
	await deps.db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('seal_authorisations')
			.set({ revoked_at: deps.clock().toISOString() })
			.where('seal_id', '=', sealId)
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) return;
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.revoked',
			subject: sealId,
			data: { userId }
		});
	});
	return { ok: true };
}
