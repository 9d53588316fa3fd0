import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';

export type AuthEventKind =
	| 'invite.created'
	| 'invite.refused'
	| 'invite.code_wrong'
	| 'invite.code_resent'
	| 'invite.locked'
	| 'invite.redeemed'
	| 'details.updated'
	| 'login_code.requested'
	| 'login_code.wrong'
	| 'login_code.locked'
	| 'login_code.refused'
	| 'login_code.signed_in'
	| 'session.switched'
	| 'person.joined';

/**
 * Appends one authentication event. Insert only: nothing updates or deletes these rows, so
 * every code attempt stays explainable (the hash-chained audit log will build on it).
 */
export async function appendAuthEvent(
	db: Kysely<Database>,
	clock: Clock,
	event: {
		kind: AuthEventKind;
		userId?: string | null;
		inviteId?: string | null;
		ip?: string | null;
		detail?: Record<string, unknown>;
	}
): Promise<void> {
	await db
		.insertInto('auth_events')
		.values({
			id: randomUUID(),
			user_id: event.userId ?? null,
			invite_id: event.inviteId ?? null,
			kind: event.kind,
			detail: JSON.stringify(event.detail ?? {}),
			ip: event.ip ?? null,
			created_at: clock().toISOString()
		})
		.execute();
}
