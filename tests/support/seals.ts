import type { Kysely } from 'kysely';
import type { Database } from '../../src/lib/server/db/schema';
import { openSealVersion } from '../../src/lib/server/seals/seal-versions';

/**
 * Puts a seal into a test database as the seal page does: its row and its first image version
 * (R20), so ingest knows the image a genuine stamp of it carries.
 */
export async function insertSeal(
	db: Kysely<Database>,
	seal: {
		id: string;
		orgId: string;
		createdBy: string;
		image: string;
		sizeMm?: { width: number; height: number };
		at: string;
		status?: 'active' | 'disabled';
	}
): Promise<void> {
	const sizeMm = seal.sizeMm ?? { width: 42, height: 42 };
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('seals')
			.values({
				id: seal.id,
				org_id: seal.orgId,
				name: '合同专用章',
				shape: 'round',
				width_mm: sizeMm.width,
				height_mm: sizeMm.height,
				spec_json: null,
				image_hash: seal.image,
				status: seal.status ?? 'active',
				created_at: seal.at,
				created_by: seal.createdBy
			})
			.execute();
		await openSealVersion(trx, seal.id, seal.image, sizeMm, seal.at);
	});
}
