import type { Kysely, Transaction } from 'kysely';
import { failure, type Failure, type Result } from '$lib/domain/errors';
import {
	normaliseSealSpec,
	validateSealSpec,
	type SealProblem,
	type SealShape,
	type SealSpec
} from '$lib/domain/seal-svg';
import type { Database, User } from '../../db/schema';
import { storeBlob, type BlobStore } from '../../platform/blob-store';
import type { Clock } from '../../platform/clock';
import { appendAudit } from '../../audit';
import { rasteriseSeal } from '../seal-image';
import { openSealVersion } from '../seal-versions';

// What the admin's seal operations share: their dependencies, the name and spec checks, the
// organisation's own-seal lookup, and the one place a seal's row and image are written.

export interface AdminSealDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
}

/** Longest seal name shown in lists and on the device. */
export const SEAL_LABEL_MAX_CHARS = 40;

function invalidSpec(problems: SealProblem[]): Failure {
	return failure(
		'SEAL_SPEC_INVALID',
		`Seal spec invalid: ${problems.map((p) => `${p.field} ${p.code}`).join(', ')}`,
		{ problems }
	);
}

export function invalidName(name: string): Failure | null {
	const length = Array.from(name.trim()).length;
	if (length >= 1 && length <= SEAL_LABEL_MAX_CHARS) return null;
	return failure('SEAL_SPEC_INVALID', `Seal name must be 1–${SEAL_LABEL_MAX_CHARS} characters`, {
		problems: [{ code: length ? 'NAME_TOO_LONG' : 'NAME_EMPTY', field: 'label' }]
	});
}

/** Validates and rasterises a spec; nothing is stored for a spec that cannot be drawn. */
export async function renderSpec(
	deps: AdminSealDeps,
	partial: Partial<SealSpec>
): Promise<{ ok: true; spec: SealSpec; png: Uint8Array } | Failure> {
	const spec = normaliseSealSpec(partial);
	const problems = validateSealSpec(spec);
	if (problems.length) return invalidSpec(problems);
	return { ok: true, spec, png: await rasteriseSeal(spec) };
}

/** A seal's row as an admin operation writes it: name, size, spec (null for a photo) and image. */
export interface SealDraft {
	name: string;
	shape: SealShape;
	widthMm: number;
	heightMm: number;
	spec: SealSpec | null;
	png: Uint8Array;
}

export function generatedDraft(
	name: string,
	rendered: { spec: SealSpec; png: Uint8Array }
): SealDraft {
	const { spec, png } = rendered;
	return {
		name: name.trim(),
		shape: spec.shape,
		widthMm: spec.widthMm,
		heightMm: spec.heightMm,
		spec,
		png
	};
}

/**
 * Stores a seal's image and writes its row, its open image version and its audit entry in one
 * transaction, so a seal never points at an image it has no version for. Without
 * `previousImage` the seal is new (inserted, audited as seal.created); with it the seal is
 * regenerated (updated, audited as seal.regenerated naming the image it replaces). Returns the
 * image's hash.
 */
export async function writeSeal(
	deps: AdminSealDeps,
	admin: User,
	id: string,
	draft: SealDraft,
	previousImage?: string
): Promise<string> {
	const now = deps.clock().toISOString();
	const { name } = draft;
	return deps.db.transaction().execute(async (trx) => {
		const image = await storeBlob(trx, deps.blobs, draft.png, 'image/png', now);
		const row = {
			name,
			shape: draft.shape,
			width_mm: draft.widthMm,
			height_mm: draft.heightMm,
			spec_json: draft.spec ? JSON.stringify(draft.spec) : null,
			image_hash: image
		};
		if (previousImage === undefined) {
			await trx
				.insertInto('seals')
				.values({
					...row,
					id,
					org_id: admin.org_id,
					status: 'active',
					created_at: now,
					created_by: admin.id
				})
				.execute();
		} else {
			await trx.updateTable('seals').set(row).where('id', '=', id).execute();
		}
		// A regenerated seal's old image stays good for tickets issued before now (R20): its
		// version is closed, not replaced.
		await openSealVersion(trx, id, image, { width: draft.widthMm, height: draft.heightMm }, now);
		await appendAudit(
			trx,
			deps.clock,
			admin.id,
			previousImage === undefined
				? { kind: 'seal.created', subject: id, data: { name, imageHash: image } }
				: {
						kind: 'seal.regenerated',
						subject: id,
						data: { name, imageHash: image, previousImageHash: previousImage }
					}
		);
		return image;
	});
}

/** The seal, only within the admin's organisation; another organisation's reads as missing. */
export async function orgSeal(db: Kysely<Database>, admin: User, sealId: string) {
	return db
		.selectFrom('seals')
		.selectAll()
		.where('id', '=', sealId)
		.where('org_id', '=', admin.org_id)
		.executeTakeFirst();
}

export const NOT_FOUND: Failure = failure('NOT_FOUND', 'No such seal in your organisation');

/**
 * Runs one change to an existing seal of the admin's organisation in a transaction; a seal of
 * another organisation is NOT_FOUND before anything runs. The change may answer a Failure, which
 * it does before it writes anything, so a refusal leaves the seal as it was.
 */
export async function changeOrgSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	change: (trx: Transaction<Database>) => Promise<Failure | void>
): Promise<Result<object>> {
	if (!(await orgSeal(deps.db, admin, sealId))) return NOT_FOUND;
	const refused = await deps.db.transaction().execute(change);
	return refused ?? { ok: true };
}
