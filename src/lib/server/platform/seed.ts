import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/schema';
import { storeBlob, type BlobStore } from './blob-store';
import type { Clock } from './clock';
import { createDemoContract } from '$lib/pdf/demo-contract';
import { loadCjkFont } from './fonts';
import { definitionJson } from '../contracts';
import type { Envelope } from '$lib/domain/envelope';
import { normaliseSealSpec, type SealSpec } from '$lib/domain/seal-svg';
import { rasteriseSeal } from '../seals';
import { openSealVersion } from '../seals';

export const DEMO_ORG = { name: '示例科技有限公司', nameEn: 'Demo Technology Co., Ltd.' };
export const DEMO_CONTRACT_TITLE = '采购合同 Purchase Agreement';
export const DEMO_SIGNER_ID = 'signer-admin';
/** The demo organisation's contract seal, which the admin is authorised for. */
export const DEMO_SEAL_ID = 'seal-demo-contract';
export const DEMO_SEAL_NAME = '合同专用章';

/** The default round contract seal (S1) of the demo organisation. */
export function demoSealSpec(): SealSpec {
	return normaliseSealSpec({ shape: 'round', orgName: DEMO_ORG.name });
}

/**
 * The demo contract as the signing rules see it: the admin alone signs for the demo company,
 * one signature and one seal field on the last page, so a fresh install can be signed end to
 * end without preparing anything.
 */
export function demoEnvelope(id: string, docHash: string): Envelope {
	const a4 = { width: 595.28, height: 841.89 };
	return {
		id,
		docHash,
		revision: 1,
		status: 'sent',
		pages: [a4, a4, a4],
		signingOrder: 'sequential',
		parties: [{ id: 'party-demo', name: DEMO_ORG.name, kind: 'organisation' }],
		signers: [{ id: DEMO_SIGNER_ID, partyId: 'party-demo', name: 'Administrator', order: 1 }],
		fields: [
			{
				id: 'field-signature',
				kind: 'signature',
				signerId: DEMO_SIGNER_ID,
				page: 3,
				rect: { x: 72, y: 120, width: 180, height: 60 },
				required: true
			},
			{
				id: 'field-seal',
				kind: 'seal',
				signerId: DEMO_SIGNER_ID,
				page: 3,
				rect: { x: 340, y: 90, width: 130, height: 130 },
				required: true
			}
		]
	};
}

/**
 * Seeds an empty database with the demo organisation, its first admin, the organisation's
 * contract seal (a generated round seal rasterised with the shipped font) and a demo contract
 * that is out for signing by the admin (who is authorised for the demo seal).
 * Does nothing when any organisation exists, so a restart never duplicates or resets data.
 * The demo organisation starts certified (已认证, SPEC OC5), so its seal works out of the box;
 * an installation without the demo starts uncertified and goes through 组织机构认证.
 * The PDF and the seal image go through storeBlob: files before the rows that name them.
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
	const sealSpec = withDemo ? demoSealSpec() : null;
	const sealPng = sealSpec ? await rasteriseSeal(sealSpec) : null;
	const now = clock().toISOString();
	await db.transaction().execute(async (trx) => {
		const docHash = pdf ? await storeBlob(trx, blobs, pdf, 'application/pdf', now) : null;
		const sealHash = sealPng ? await storeBlob(trx, blobs, sealPng, 'image/png', now) : null;
		const orgId = randomUUID();
		await trx
			.insertInto('organisations')
			.values({
				id: orgId,
				name: DEMO_ORG.name,
				name_en: DEMO_ORG.nameEn,
				created_at: now,
				// Without the demo the columns keep their defaults (uncertified), so seeding also
				// works on a database migrated only part of the way (the upgrade tests).
				...(withDemo ? { cert_state: 'certified' as const, certified_at: now } : {})
			})
			.execute();
		const adminId = randomUUID();
		await trx
			.insertInto('users')
			.values({
				id: adminId,
				org_id: orgId,
				display_name: 'Administrator',
				role: 'admin',
				created_at: now
			})
			.execute();
		if (sealSpec && sealPng && sealHash) {
			await trx
				.insertInto('seals')
				.values({
					id: DEMO_SEAL_ID,
					org_id: orgId,
					name: DEMO_SEAL_NAME,
					shape: sealSpec.shape,
					width_mm: sealSpec.widthMm,
					height_mm: sealSpec.heightMm,
					spec_json: JSON.stringify(sealSpec),
					image_hash: sealHash,
					status: 'active',
					created_at: now,
					created_by: adminId
				})
				.execute();
			await openSealVersion(
				trx,
				DEMO_SEAL_ID,
				sealHash,
				{ width: sealSpec.widthMm, height: sealSpec.heightMm },
				now
			);
		}
		if (pdf && docHash) {
			const envelope = demoEnvelope(randomUUID(), docHash);
			await trx
				.insertInto('envelopes')
				.values({
					id: envelope.id,
					org_id: orgId,
					title: DEMO_CONTRACT_TITLE,
					doc_sha256: docHash,
					page_count: envelope.pages.length,
					status: 'sent',
					created_at: now,
					// The first admin sends the demo, so a return of it reaches them (LC3).
					created_by: adminId,
					definition: definitionJson(envelope)
				})
				.execute();
			await trx
				.insertInto('envelope_signers')
				.values({ envelope_id: envelope.id, signer_id: DEMO_SIGNER_ID, user_id: adminId })
				.execute();
			await trx
				.insertInto('seal_authorisations')
				.values({
					id: randomUUID(),
					seal_id: DEMO_SEAL_ID,
					user_id: adminId,
					granted_at: now,
					revoked_at: null
				})
				.execute();
		}
	});
	return true;
}
