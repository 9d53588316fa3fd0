import type { Kysely } from 'kysely';
import type { InviteStatus, InviteSummary, OutboxEntry } from '$lib/domain/api-types';
import type { Database } from '../db/schema';
import { type InviteDeps } from './invites';

// The organisation's invitations and message outbox, as the admin sees them.

/** An invite's state at a moment; redeemed and locked win over expiry. */
export function inviteStatus(
	row: { redeemed_at: string | null; locked_at: string | null; expires_at: string },
	now: Date
): InviteStatus {
	if (row.redeemed_at) return 'redeemed';
	if (row.locked_at) return 'locked';
	return row.expires_at <= now.toISOString() ? 'expired' : 'pending';
}

/** The organisation's invites, newest first, for the admin list. */
export async function listInvites(deps: Pick<InviteDeps, 'db' | 'clock'>, orgId: string) {
	const rows = await deps.db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.select([
			'invites.id',
			'users.display_name',
			'invites.contact',
			'invites.channel',
			'invites.created_at',
			'invites.expires_at',
			'invites.attempts',
			'invites.locked_at',
			'invites.redeemed_at',
			'invites.purpose'
		])
		.where('invites.org_id', '=', orgId)
		.orderBy('invites.created_at', 'desc')
		.limit(200)
		.execute();
	const now = deps.clock();
	return rows.map((r): InviteSummary => ({
		id: r.id,
		name: r.display_name,
		contact: r.contact,
		channel: r.channel,
		status: inviteStatus(r, now),
		attempts: r.attempts,
		createdAt: r.created_at,
		expiresAt: r.expires_at,
		purpose: r.purpose
	}));
}

/**
 * The organisation's console outbox, newest first: how a pilot without mail delivers codes. It
 * holds invite links and codes, so only the admins of the organisation that sent them read it.
 */
export async function listOutbox(db: Kysely<Database>, orgId: string): Promise<OutboxEntry[]> {
	const rows = await db
		.selectFrom('notifications')
		.selectAll()
		.where('org_id', '=', orgId)
		.where('channel', '=', 'console')
		.orderBy('created_at', 'desc')
		.limit(100)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		recipient: r.recipient,
		subject: r.subject,
		body: r.body,
		createdAt: r.created_at
	}));
}
