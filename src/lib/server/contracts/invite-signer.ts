import type { Kysely } from 'kysely';
import type { Failure } from '$lib/domain/errors';
import type { Database, User } from '../db/schema';
import { createInvite, type InviteDeps } from '../auth';

/**
 * Invites a signer who has no account yet: the invitation (link and code) makes their account,
 * which is named as this contract's signer at once, so the contract is in their inbox when they
 * enrol. At send for the signers due then, at their turn for later ones (LC8).
 */
export async function inviteSigner(
	deps: InviteDeps,
	inviter: User,
	envelopeId: string,
	signer: { signer_id: string; name: string; contact: string | null }
): Promise<{ ok: true; userId: string; inviteId: string } | Failure> {
	const invite = await createInvite(deps, inviter, {
		name: signer.name,
		contact: signer.contact ?? ''
	});
	// A first delivery that failed is queued and retried by the worker: the invitation exists, so
	// the signer is named all the same (naming nobody would invite them twice on the next try).
	const inviteId = invite.ok
		? invite.inviteId
		: typeof invite.details?.inviteId === 'string' && invite.details.retrying === true
			? invite.details.inviteId
			: null;
	if (inviteId === null) return invite as Failure;
	const { user_id: userId } = await deps.db
		.selectFrom('invites')
		.select('user_id')
		.where('id', '=', inviteId)
		.executeTakeFirstOrThrow();
	await deps.db.transaction().execute(async (trx) => {
		await trx
			.updateTable('contract_signers')
			.set({ user_id: userId, invite_id: inviteId })
			.where('envelope_id', '=', envelopeId)
			.where('signer_id', '=', signer.signer_id)
			.execute();
		// A contract already sent lists its signers here; at send the sending transaction does.
		await trx
			.insertInto('envelope_signers')
			.values({ envelope_id: envelopeId, signer_id: signer.signer_id, user_id: userId })
			.onConflict((oc) => oc.columns(['envelope_id', 'signer_id']).doNothing())
			.execute();
	});
	return { ok: true, userId, inviteId };
}

/** Who invites a later signer: the contract's sender, else an active admin of its organisation. */
export async function inviterOf(db: Kysely<Database>, envelopeId: string): Promise<User | null> {
	const envelope = await db
		.selectFrom('envelopes')
		.select(['org_id', 'created_by'])
		.where('id', '=', envelopeId)
		.executeTakeFirst();
	if (!envelope) return null;
	const sender = envelope.created_by
		? await db
				.selectFrom('users')
				.selectAll()
				.where('id', '=', envelope.created_by)
				.where('deactivated_at', 'is', null)
				.executeTakeFirst()
		: undefined;
	return (
		sender ??
		(await db
			.selectFrom('users')
			.selectAll()
			.where('org_id', '=', envelope.org_id)
			.where('role', '=', 'admin')
			.where('deactivated_at', 'is', null)
			.orderBy('created_at')
			.executeTakeFirst()) ??
		null
	);
}
