import type { User } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import { finishInvite, writeInvite, type InviteDeps } from '../auth';

/**
 * An administrator issues a re-enrolment link for a member of their organisation who lost their
 * passkey (RC1): an invite bound to the member's existing account, sent with its code to the
 * contact the member was invited at. keepPasskeys false (the default) revokes the old passkeys
 * when the link is used (RC4). Earlier unused links for the member are locked in the same
 * transaction that writes the new one, so two issues at once can never leave two live links.
 * Refused for the administrator's own account (another administrator must vouch) and for a
 * deactivated member (reactivate first).
 */
export async function issueRecovery(
	deps: InviteDeps,
	admin: User,
	memberId: string,
	input: { keepPasskeys: boolean }
): Promise<{ ok: true; inviteId: string; link: string; expiresAt: string } | Failure> {
	const member = await deps.db
		.selectFrom('users')
		.select(['id', 'display_name', 'deactivated_at'])
		.where('id', '=', memberId)
		.where('org_id', '=', admin.org_id)
		.executeTakeFirst();
	if (!member) return failure('NOT_FOUND', 'No such member');
	if (member.id === admin.id) {
		return failure('FORBIDDEN', 'Another administrator issues your re-enrolment link');
	}
	if (member.deactivated_at) {
		return failure('ACCOUNT_DEACTIVATED', 'Reactivate the member before re-enrolling them');
	}
	const last = await deps.db
		.selectFrom('invites')
		.select('contact')
		.where('user_id', '=', member.id)
		.orderBy('created_at', 'desc')
		.executeTakeFirst();
	if (!last) return failure('CONTACT_MISSING', 'No contact on record to send a code to');
	const written = await deps.db.transaction().execute(async (trx) => {
		// Locked, not expired: a link holder could otherwise ask the old link for a fresh code.
		// The database's writer lock (IMMEDIATE on SQLite, the advisory lock on PostgreSQL)
		// serialises two issues, so the second locks the first's link before writing its own.
		await trx
			.updateTable('invites')
			.set({ locked_at: deps.clock().toISOString() })
			.where('user_id', '=', member.id)
			.where('purpose', '=', 'recover')
			.where('redeemed_at', 'is', null)
			.where('locked_at', 'is', null)
			.execute();
		return writeInvite(
			trx,
			deps,
			admin,
			{ name: member.display_name, contact: last.contact },
			{ userId: member.id, purpose: 'recover', keepPasskeys: input.keepPasskeys }
		);
	});
	return written.ok ? finishInvite(deps, admin, written) : written;
}
