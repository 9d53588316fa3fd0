import { randomUUID } from 'node:crypto';

import type { SizeMm } from '$lib/domain/manifest';
import type { SealRecord, SealVersion } from '$lib/domain/rules';
import type { Db } from '../db/schema';
import { read, readOne } from '../db/together';

/**
 * Makes `image` at `sizeMm` the seal's current image version from `at` (SPEC R20): the open
 * version, if it is another image or size, is closed at the same instant. Call it in the
 * transaction that writes the seal's image, so the seal row and its versions never disagree.
 * Regenerating to identical pixels and size changes nothing.
 */
export async function openSealVersion(
	trx: Db,
	sealId: string,
	image: string,
	sizeMm: SizeMm,
	at: string
): Promise<void> {
	const current = await trx
		.selectFrom('seal_versions')
		.select(['id', 'image_hash', 'width_mm', 'height_mm'])
		.where('seal_id', '=', sealId)
		.where('valid_until', 'is', null)
		.executeTakeFirst();
	if (
		current &&
		current.image_hash === image &&
		current.width_mm === sizeMm.width &&
		current.height_mm === sizeMm.height
	) {
		return;
	}
	if (current) {
		await trx
			.updateTable('seal_versions')
			.set({ valid_until: at })
			.where('id', '=', current.id)
			.execute();
	}
	await trx
		.insertInto('seal_versions')
		.values({
			id: randomUUID(),
			seal_id: sealId,
			image_hash: image,
			width_mm: sizeMm.width,
			height_mm: sizeMm.height,
			valid_from: at,
			valid_until: null
		})
		.execute();
}

/**
 * The organisation's seals among `sealIds`, each with its status and every image version, for
 * the seal rules (R20, R21). A seal of another organisation is left out, so a stamp naming it
 * matches no version.
 */
export function sealRecords(
	db: Db,
	orgId: string,
	sealIds: Iterable<string>
): Promise<Map<string, SealRecord>> {
	return readOne(sealRecordsRead(db, orgId, sealIds));
}

/** sealRecords as a Read, to send with other reads (readTogether). */
export function sealRecordsRead(db: Db, orgId: string, sealIds: Iterable<string>) {
	const ids = [...new Set(sealIds)];
	const query =
		ids.length === 0
			? null
			: db
					.selectFrom('seals')
					.leftJoin('seal_versions as v', 'v.seal_id', 'seals.id')
					.select([
						'seals.id',
						'seals.status',
						'v.image_hash',
						'v.width_mm',
						'v.height_mm',
						'v.valid_from',
						'v.valid_until'
					])
					.where('seals.org_id', '=', orgId)
					.where('seals.id', 'in', ids)
					.orderBy('seals.id')
					.orderBy('v.valid_from');
	return read(query, (rows) => {
		const records = new Map<string, SealRecord & { versions: SealVersion[] }>();
		for (const row of rows) {
			let record = records.get(row.id);
			if (!record) {
				record = { status: row.status, versions: [] };
				records.set(row.id, record);
			}
			if (row.image_hash !== null && row.valid_from !== null) {
				record.versions.push({
					imageHash: row.image_hash,
					sizeMm: { width: row.width_mm!, height: row.height_mm! },
					validFrom: row.valid_from,
					validUntil: row.valid_until
				});
			}
		}
		return records as Map<string, SealRecord>;
	});
}

/**
 * The seals a user holds a live authorisation for at `at` (granted by then, not revoked), as a
 * Read: ingest sends it with its other reads (readTogether).
 */
export function authorisedSealsRead(db: Db, userId: string, at: string) {
	const query = db
		.selectFrom('seal_authorisations')
		.select('seal_id')
		.where('user_id', '=', userId)
		.where('granted_at', '<=', at)
		.where('revoked_at', 'is', null);
	return read(query, (rows) => new Set(rows.map((r) => r.seal_id)));
}
