import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from './db/schema';
import type { BlobStore } from './blob-store';
import type { Clock } from './clock';
import { createDemoContract } from '$lib/pdf/demo-contract';
import { loadCjkFont } from './fonts';

export const DEMO_ORG = { name: '示例科技有限公司', nameEn: 'Demo Technology Co., Ltd.' };
export const DEMO_CONTRACT_TITLE = '采购合同 Purchase Agreement';

/**
 * Seeds an empty database with the demo organisation, its first admin and a demo contract.
 * Does nothing when any organisation exists, so a restart never duplicates or resets data.
 * The PDF is written to the blob store before the rows that point at it, so a crash between
 * the two leaves at worst an unreferenced blob, never a row naming a missing file.
 */
export async function seedIfEmpty(
	db: Kysely<Database>,
	blobs: BlobStore,
	clock: Clock,
	withDemo: boolean
): Promise<boolean> {
	const existing = await db.selectFrom('organisations').select('id').executeTakeFirst();
	if (existing) return false;
	const pdf = withDemo ? await createDemoContract(await loadCjkFont()) : null;
	const docHash = pdf ? await blobs.put(pdf) : null;
	const now = clock().toISOString();
	await db.transaction().execute(async (trx) => {
		const orgId = randomUUID();
		await trx
			.insertInto('organisations')
			.values({ id: orgId, name: DEMO_ORG.name, name_en: DEMO_ORG.nameEn, created_at: now })
			.execute();
		await trx
			.insertInto('users')
			.values({
				id: randomUUID(),
				org_id: orgId,
				display_name: 'Administrator',
				role: 'admin',
				created_at: now
			})
			.execute();
		if (pdf && docHash) {
			await trx
				.insertInto('blobs')
				.values({
					sha256: docHash,
					size: pdf.byteLength,
					media_type: 'application/pdf',
					created_at: now
				})
				.execute();
			await trx
				.insertInto('envelopes')
				.values({
					id: randomUUID(),
					org_id: orgId,
					title: DEMO_CONTRACT_TITLE,
					doc_sha256: docHash,
					page_count: 3,
					status: 'draft',
					created_at: now
				})
				.execute();
		}
	});
	return true;
}
