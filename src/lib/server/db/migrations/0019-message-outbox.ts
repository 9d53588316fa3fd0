import type { Kysely } from 'kysely';

/*
 * The message outbox: a notification row is written (with its job) before anything is sent and
 * holds what the worker needs to send it again, so a provider that fails does not lose it.
 * `sms_json` is the message as an SMS template and variables; both it and the body of a
 * non-console message are cleared once the message went out.
 *
 * `invites.code_sent_at`: when the current code went out (null: at creation), which the re-send
 * cooldown counts from.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('notifications').addColumn('sms_json', 'text').execute();
	await db.schema.alterTable('invites').addColumn('code_sent_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('invites').dropColumn('code_sent_at').execute();
	await db.schema.alterTable('notifications').dropColumn('sms_json').execute();
}
