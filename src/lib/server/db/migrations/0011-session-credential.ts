import type { Kysely } from 'kysely';

/*
 * Revoking a passkey ends what it opened, so a lost device's passkey can be revoked from another. A
 * session remembers the credential it was signed in with, so a revoke can end exactly those
 * sessions; a ticket can be revoked, so a device offline with that passkey's pool cannot
 * submit after the revoke. Numbered 0011, not 0010: another branch may add a 0010, and file
 * names must sort in the order the migrations run.
 *
 * Sessions from before this migration name no credential and could never be ended by a
 * revoke (a lost phone would stay signed in for up to 30 days), so those of users who hold a
 * passkey are ended here: one extra passkey sign-in instead of a session nobody can end.
 * Sessions of users still enrolling (no passkey yet) stay; enrolment binds them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	// Null: opened by a setup link or an invite code before the user had a passkey.
	await db.schema
		.alterTable('sessions')
		.addColumn('credential_id', 'text', (c) => c.references('credentials.id'))
		.execute();
	await db.schema
		.createIndex('sessions_credential')
		.on('sessions')
		.column('credential_id')
		.execute();
	await db.schema.alterTable('tickets').addColumn('revoked_at', 'text').execute();
	// Passkeys revoked before this migration: their unused tickets are revoked with them.
	await db
		.updateTable('tickets')
		.set({
			revoked_at: db
				.selectFrom('credentials')
				.select('credentials.revoked_at')
				.whereRef('credentials.id', '=', 'tickets.credential_id')
		})
		.where('used_at', 'is', null)
		.where(
			'credential_id',
			'in',
			db.selectFrom('credentials').select('id').where('revoked_at', 'is not', null)
		)
		.execute();
	await db
		.deleteFrom('sessions')
		.where('credential_id', 'is', null)
		.where('user_id', 'in', db.selectFrom('credentials').select('user_id'))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('tickets').dropColumn('revoked_at').execute();
	await db.schema.dropIndex('sessions_credential').execute();
	await db.schema.alterTable('sessions').dropColumn('credential_id').execute();
}
