import { type Kysely, sql } from 'kysely';
import { withUpdateGuardLifted } from '../dialects/schema';

/*
 * Organisation on the notification outbox and the audit log, the signed head of the audit
 * chain, and the check values of the server keys (SPEC A9–A11, SEC1–SEC4).
 *
 * - `notifications.org_id`: the outbox holds invite links and codes, so an admin may read only
 *   their own organisation's messages. Existing rows are filed under the organisation of the
 *   invite (or contract signer) with that recipient, else under the only organisation when
 *   there is just one; a row nothing links stays unfiled and is listed to no one.
 * - `audit_log.org_id`: a filing attribute outside the hashed content (A2 is unchanged, so every
 *   existing hash still verifies). Existing rows are filed by the organisation of the actor,
 *   else of the subject (invite, user, envelope, submission, seal), else the only organisation.
 *   Rows that name no organisation (a wrong token, a refusal before sign-in on a server with
 *   several organisations) are platform events: they stay in the chain and its verification but
 *   are listed to no organisation's admin. UPDATE on audit_log is refused by a trigger (A7), so
 *   the backfill lifts that trigger inside this migration's transaction (withUpdateGuardLifted).
 * - `audit_anchor`: one row, the chain head (seq, hash) with an HMAC keyed outside the
 *   database, so removing the newest rows is detected (A10).
 * - `secret_checks`: a check value per server key (an HMAC of a fixed text), so a start with a
 *   missing or different key file is refused instead of silently re-keying (SEC3).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
async function migrate(db: Kysely<any>): Promise<void> {
	const onlyOrg = sql`(select id from organisations where (select count(*) from organisations) = 1)`;

	await db.schema
		.alterTable('notifications')
		.addColumn('org_id', 'text', (c) => c.references('organisations.id'))
		.execute();
	await sql`update notifications set org_id = coalesce(
			(select i.org_id from invites i where i.contact = notifications.recipient
			   order by (i.created_at <= notifications.created_at) desc, i.created_at desc limit 1),
			(select e.org_id from contract_signers cs join envelopes e on e.id = cs.envelope_id
			   where cs.contact = notifications.recipient order by e.created_at desc limit 1),
			${onlyOrg})`.execute(db);
	await db.schema
		.createIndex('notifications_org_created')
		.on('notifications')
		.columns(['org_id', 'created_at'])
		.execute();

	await db.schema
		.alterTable('audit_log')
		.addColumn('org_id', 'text', (c) => c.references('organisations.id'))
		.execute();
	await withUpdateGuardLifted(db, 'audit_log', async () => {
		await sql`update audit_log set org_id = coalesce(
			(select org_id from users where id = audit_log.actor),
			(select org_id from invites where id = audit_log.subject),
			(select org_id from users where id = audit_log.subject),
			(select org_id from envelopes where id = audit_log.subject),
			(select e.org_id from submissions s join envelopes e on e.id = s.envelope_id
			   where s.id = audit_log.subject),
			(select org_id from seals where id = audit_log.subject),
			${onlyOrg})`.execute(db);
	});
	// The organisation's page of the trail, newest first, straight off an index.
	await db.schema
		.createIndex('audit_log_org_seq')
		.on('audit_log')
		.columns(['org_id', 'seq'])
		.execute();

	await db.schema
		.createTable('audit_anchor')
		// One row: the newest signed head. Rewritten with every append, in its transaction.
		.addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('hash', 'text', (c) => c.notNull())
		// HMAC-SHA-256 (hex) of the anchor text, keyed with the audit key from the secrets file.
		.addColumn('mac', 'text', (c) => c.notNull())
		.addColumn('at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('secret_checks')
		.addColumn('name', 'text', (c) => c.primaryKey())
		.addColumn('check_value', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see migrate()
export async function up(db: Kysely<any>): Promise<void> {
	// Kysely runs SQLite migrations outside a transaction; one is opened here so the dropped
	// trigger can never stay dropped: a failure rolls the trigger back with the rest.
	if (db.isTransaction) await migrate(db);
	else await db.transaction().execute((trx) => migrate(trx));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see migrate()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('secret_checks').execute();
	await db.schema.dropTable('audit_anchor').execute();
	await db.schema.dropIndex('audit_log_org_seq').execute();
	await db.schema.dropIndex('notifications_org_created').execute();
	await db.schema.alterTable('notifications').dropColumn('org_id').execute();
	// Dropping a column fires no UPDATE trigger: the rows' hashed content is untouched.
	await db.schema.alterTable('audit_log').dropColumn('org_id').execute();
}
