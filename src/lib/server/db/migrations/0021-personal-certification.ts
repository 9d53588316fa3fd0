import type { Kysely } from 'kysely';

/*
 * Personal certification (SPEC PC): each user's level, how it was reached and their consent, and
 * a contract's required signer level. Existing users keep their state (PC10): checked details
 * become checksum-valid by document checksum at their verified_at, everyone else self-declared;
 * existing contracts require nothing, so nobody already asked to sign is blocked.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	// Kysely runs SQLite migrations outside a transaction and PostgreSQL ones inside one (where a
	// nested transaction is refused): the backfill gets one either way, as in 0010.
	if (db.isTransaction) await migrate(db);
	else await db.transaction().execute((trx) => migrate(trx));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function migrate(trx: Kysely<any>): Promise<void> {
	await trx.schema
		.alterTable('users')
		.addColumn('cert_level', 'text', (c) => c.notNull().defaultTo('self-declared'))
		.execute();
	await trx.schema
		.alterTable('users')
		.addColumn('cert_method', 'text', (c) => c.notNull().defaultTo('self-declared'))
		.execute();
	for (const column of [
		'cert_document_type',
		'cert_provider',
		'cert_reference',
		'cert_at',
		'consent_version',
		'consent_at'
	]) {
		await trx.schema.alterTable('users').addColumn(column, 'text').execute();
	}
	await trx
		.updateTable('users')
		.set((eb) => ({
			cert_level: 'checksum-valid',
			cert_method: 'document-checksum',
			cert_document_type: 'resident-id',
			cert_at: eb.ref('verified_at')
		}))
		.where('verified_at', 'is not', null)
		.execute();
	await trx.schema.alterTable('envelopes').addColumn('required_level', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('envelopes').dropColumn('required_level').execute();
	for (const column of [
		'consent_at',
		'consent_version',
		'cert_at',
		'cert_reference',
		'cert_provider',
		'cert_document_type',
		'cert_method',
		'cert_level'
	]) {
		await db.schema.alterTable('users').dropColumn(column).execute();
	}
}
