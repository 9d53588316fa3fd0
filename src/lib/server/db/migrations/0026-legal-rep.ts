import type { Kysely } from 'kysely';

/*
 * 法定代表人认证 (SPEC LR): an application whose method is `legal_rep` keeps whom it asked (the
 * contact, the keyed hash and mask of the representative's document number, their account and
 * the invite that reached them) and the evidence: the manifest issued to them, the passkey
 * assertion over it, the credential that made it, when it was confirmed and until when it counts.
 */

const COLUMNS = [
	'rep_contact',
	'rep_document_type',
	'rep_id_hash',
	'rep_id_masked',
	'rep_user_id',
	'rep_invite_id',
	'rep_manifest',
	'rep_assertion',
	'rep_credential_id',
	'rep_confirmed_at',
	'rep_expires_at'
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	for (const column of COLUMNS) {
		await db.schema.alterTable('org_cert_applications').addColumn(column, 'text').execute();
	}
	// The representative's page finds their open request by their account.
	await db.schema
		.createIndex('org_cert_applications_rep_user')
		.on('org_cert_applications')
		.column('rep_user_id')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('org_cert_applications_rep_user').execute();
	for (const column of [...COLUMNS].reverse()) {
		await db.schema.alterTable('org_cert_applications').dropColumn(column).execute();
	}
}
