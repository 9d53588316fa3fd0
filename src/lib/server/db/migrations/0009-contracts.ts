import { type Kysely, sql } from 'kysely';

/*
 * Contracts prepared by admins: deadline, send and revoke facts on the envelope, who each signer
 * is before they have an account (name + contact, invited on send), field templates, and the
 * history of replaced documents. Schema builder only, so it runs on SQLite and PostgreSQL.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	for (const column of ['deadline', 'sent_at', 'revoked_at', 'revoke_reason']) {
		await db.schema.alterTable('envelopes').addColumn(column, 'text').execute();
	}

	// The admin's view of each signer. user_id is null until the signer is invited on send (a new
	// person) or names an existing account; envelope_signers (who may confirm) is written on send.
	await db.schema
		.createTable('contract_signers')
		.addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id'))
		.addColumn('signer_id', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('contact', 'text')
		.addColumn('user_id', 'text', (c) => c.references('users.id'))
		.addColumn('invite_id', 'text', (c) => c.references('invites.id'))
		.addColumn('notified_at', 'text')
		.addPrimaryKeyConstraint('contract_signers_pk', ['envelope_id', 'signer_id'])
		.execute();

	await db.schema
		.createTable('field_templates')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('fields_json', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('field_templates_org_name', ['org_id', 'name'])
		.execute();

	// Every document an envelope has had; revision 1 is the upload. Kept so evidence signed on an
	// old revision can still be shown against the bytes it named.
	await db.schema
		.createTable('envelope_revisions')
		.addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id'))
		.addColumn('revision', 'integer', (c) => c.notNull().check(sql`revision >= 1`))
		.addColumn('doc_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
		.addColumn('page_count', 'integer', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('envelope_revisions_pk', ['envelope_id', 'revision'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['envelope_revisions', 'field_templates', 'contract_signers']) {
		await db.schema.dropTable(table).execute();
	}
	for (const column of ['revoke_reason', 'revoked_at', 'sent_at', 'deadline']) {
		await db.schema.alterTable('envelopes').dropColumn(column).execute();
	}
}
