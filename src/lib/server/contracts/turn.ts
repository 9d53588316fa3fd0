import type { Kysely } from 'kysely';
import { m } from '$lib/paraglide/messages';
import type { Envelope } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import { signersDue, turnOpenedFor } from '$lib/domain/rules';
import type { Database, Db } from '../db/schema';
import { inviteSigner, inviterOf } from './invite-signer';
import { completeJob, enqueueJobInsert, type Job } from '../platform/jobs';
import { bilingual } from '../platform/notify';
import { deliver } from '../platform/outbox';
import { acceptedManifests, loadEnvelope } from './envelopes';
import type { LifecycleNoticeDeps } from './lifecycle';

// "Your turn" in a sequential contract (SPEC LC8): a later signer hears of the contract when the
// signers before them have signed, not at send, so nobody is asked to sign what they cannot yet.

/** The job kind of one "your turn" notice; subject `<envelope id>@<revision>:<signer id>`. */
export const TURN_NOTICE_JOB = 'turn-notice';

/**
 * The writes queuing a notice for each signer whose turn the accepted decision opened (LC8). For
 * the transaction that accepts it, so the notice commits with the signature or not at all;
 * unsent, so ingest sends them with its other writes (runTogether).
 */
export function turnNoticeWrites(
	trx: Db,
	envelope: Envelope,
	before: readonly Manifest[],
	after: readonly Manifest[],
	now: Date
) {
	return turnOpenedFor(envelope, before, after).map((signerId) =>
		enqueueJobInsert(trx, TURN_NOTICE_JOB, `${envelope.id}@${envelope.revision}:${signerId}`, now)
	);
}

/**
 * Sends one "your turn" notice if its signer is still due on that revision: a contract revised,
 * returned or revoked meanwhile drops it (LC8). A failed delivery is in the outbox for the admin.
 */
export async function notifyTurn(
	deps: LifecycleNoticeDeps,
	job: Job,
	owner: string
): Promise<void> {
	const at = job.subject.lastIndexOf('@');
	const id = job.subject.slice(0, at);
	const [revision, signerId] = job.subject.slice(at + 1).split(':') as [string, string];
	const stored = await loadEnvelope(deps.db, id);
	const envelope = stored?.envelope;
	const due =
		envelope?.status === 'sent' &&
		envelope.revision === Number(revision) &&
		signersDue(envelope, await acceptedManifests(deps.db, envelope)).includes(signerId);
	if (stored && due) {
		const signer = await contactOf(deps.db, id, signerId);
		if (signer && !signer.userId) {
			// Someone with no account yet: the invitation is their notice, sent now, not at send.
			// A refusal throws, so the job runner logs it and tries again later instead of the
			// signer silently never hearing of the contract.
			const inviter = await inviterOf(deps.db, id);
			if (!inviter) throw new Error(`no active admin can invite ${signerId} of ${id}`);
			const invite = await inviteSigner(deps, inviter, id, { signer_id: signerId, ...signer });
			if (!invite.ok) throw new Error(`${invite.code}: ${invite.message}`);
		} else if (signer?.contact) {
			const title = stored.title;
			const link = `${deps.origin}/inbox/${encodeURIComponent(id)}`;
			const message = bilingual(
				(locale) => m.turn_notify_subject({ title }, { locale }),
				(locale) => m.turn_notify_body({ name: signer.name, title, link }, { locale })
			);
			await deliver(deps, stored.orgId, {
				to: signer.contact,
				...message
			});
		}
	}
	await completeJob(deps.db, job.id, owner, deps.clock());
}

async function contactOf(
	db: Kysely<Database>,
	envelopeId: string,
	signerId: string
): Promise<{ name: string; contact: string | null; userId: string | null } | null> {
	const row = await db
		.selectFrom('contract_signers')
		.select(['name', 'contact', 'user_id'])
		.where('envelope_id', '=', envelopeId)
		.where('signer_id', '=', signerId)
		.executeTakeFirst();
	return row ? { name: row.name, contact: row.contact, userId: row.user_id } : null;
}
