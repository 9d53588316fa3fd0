import { sql, type Kysely } from 'kysely';

/*
 * A contract returned (退回) by a signer stays closed until its sender resends it (SPEC LC3,
 * LC5). The return is a mark on a sent envelope, not a fifth stored status: the status column's
 * check would need the table rebuilt, and "returned" is still a sent contract whose round ended.
 * `returned_at` is set in the transaction that accepts the rejection and cleared by the resend;
 * `created_by` names the sender, who is told of the return. Contracts made before this migration
 * get their sender from the audit trail's envelope.created row, or stay null (nobody to tell).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('envelopes').addColumn('returned_at', 'text').execute();
	await db.schema.alterTable('envelopes').addColumn('created_by', 'text').execute();
	await sql`update envelopes set created_by = (
		select actor from audit_log
		where audit_log.kind = 'envelope.created' and audit_log.subject = envelopes.id
		order by seq limit 1
	)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('envelopes').dropColumn('created_by').execute();
	await db.schema.alterTable('envelopes').dropColumn('returned_at').execute();
}
