import type { Kysely } from 'kysely';
import { m } from '$lib/paraglide/messages';
import { failure, type Failure } from '$lib/domain/errors';
import { mayResend } from '$lib/domain/lifecycle';
import { readinessProblems } from '$lib/domain/field-layout';
import type { Manifest } from '$lib/domain/manifest';
import type { Database, Db, User } from '../db/schema';
import { appendAudit } from '../audit';
import type { Clock } from '../platform/clock';
import { completeJob, enqueueJob, enqueueJobInsert, type Job } from '../platform/jobs';
import { bilingual, notifierFor, type Notifiers } from '../platform/notify';
import { deliver } from '../platform/outbox';
import { type ContractDeps, envelopeRowUpdate, ownContract, updateEnvelopeRow } from './common';
import { loadEnvelope } from './envelopes';
import { signersDue } from '$lib/domain/rules';

// A contract's life after a return (SPEC LC3–LC5): the accepted 退回 closes the round and tells
// the sender; the sender's resend opens a new round and tells the signers.

/** The job kind that tells the sender a signer returned the contract (subject: submission id). */
export const RETURNED_NOTICE_JOB = 'returned-notice';
/** The job kind that tells the signers a contract was resent (subject: `<id>@<revision>`). */
export const RESENT_NOTICE_JOB = 'resent-notice';

/**
 * LC3: the writes by which an accepted rejection returns the contract. For the transaction that
 * accepts the rejection, so the mark and the sender's notice job commit with it or not at all;
 * unsent, so ingest sends them with its other writes (runTogether), in this order.
 */
export function returnWrites(trx: Db, envelopeId: string, submissionId: string, now: Date) {
	return [
		envelopeRowUpdate(trx, envelopeId, ['sent'], { returned_at: now.toISOString() }),
		enqueueJobInsert(trx, RETURNED_NOTICE_JOB, submissionId, now)
	] as const;
}

/**
 * LC5: resends a returned contract. It is checked ready again (L8: the sender may have edited
 * the fields or replaced the file meanwhile), then a new revision starts the new round, even
 * with the same file: every manifest of the old round names the old revision, so R2 refuses a
 * replayed one and no earlier decision blocks anyone (LC2). The revision row, the cleared mark,
 * the audit event and the signers' notice job commit together.
 */
export async function resendContract(
	deps: Pick<ContractDeps, 'db' | 'clock'>,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string
): Promise<{ ok: true; revision: number } | Failure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	if (!mayResend(own.envelope.status)) {
		return failure('CONTRACT_NOT_EDITABLE', 'Only a returned contract is resent');
	}
	const problems = readinessProblems(own.envelope);
	if (problems.length > 0) {
		return failure('CONTRACT_NOT_READY', 'The contract is not ready to send', { problems });
	}
	const revision = own.row.revision + 1;
	const now = deps.clock();
	const done = await deps.db.transaction().execute(async (trx) => {
		// Conditional on the revision read: a replace or another resend meanwhile wins.
		const moved = await updateEnvelopeRow(
			trx,
			id,
			['sent'],
			{ revision, returned_at: null },
			own.row.revision
		);
		if (!moved) return false;
		await trx
			.insertInto('envelope_revisions')
			.values({
				envelope_id: id,
				revision,
				doc_sha256: own.row.doc_sha256,
				page_count: own.row.page_count,
				created_at: now.toISOString()
			})
			.execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'envelope.resent',
			subject: id,
			data: { revision, docHash: own.row.doc_sha256 }
		});
		await enqueueJob(trx, RESENT_NOTICE_JOB, `${id}@${revision}`, now);
		return true;
	});
	if (!done) return failure('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, revision };
}

export interface LifecycleNoticeDeps {
	db: Kysely<Database>;
	clock: Clock;
	origin: string;
	notifiers: Notifiers;
}

/**
 * Where the sender is told: the contact their invitation reached. An admin without one (the
 * first admin, enrolled by a setup link) reads it in the console outbox the admin pages list.
 */
async function senderAddress(deps: LifecycleNoticeDeps, userId: string) {
	const invite = await deps.db
		.selectFrom('invites')
		.select('contact')
		.where('user_id', '=', userId)
		.orderBy('created_at', 'desc')
		.executeTakeFirst();
	if (invite?.contact)
		return { to: invite.contact, notifier: notifierFor(deps.notifiers, invite.contact) };
	const user = await deps.db
		.selectFrom('users')
		.select('display_name')
		.where('id', '=', userId)
		.executeTakeFirst();
	return user ? { to: user.display_name, notifier: deps.notifiers.console } : null;
}

/**
 * LC3: tells the sender that a signer returned the contract, with the title, the signer, the
 * reason and the link to the contract page, in both languages. At least once, like C7.
 */
export async function notifyReturned(
	deps: LifecycleNoticeDeps,
	job: Job,
	owner: string
): Promise<void> {
	const submission = await deps.db
		.selectFrom('submissions')
		.innerJoin('envelopes', 'envelopes.id', 'submissions.envelope_id')
		.select([
			'submissions.manifest_json',
			'envelopes.id',
			'envelopes.title',
			'envelopes.org_id',
			'envelopes.created_by',
			'envelopes.definition'
		])
		.where('submissions.id', '=', job.subject)
		.executeTakeFirst();
	const manifest = submission ? (JSON.parse(submission.manifest_json) as Manifest) : null;
	const sender = submission?.created_by ? await senderAddress(deps, submission.created_by) : null;
	if (submission && manifest?.decision.kind === 'rejected' && sender) {
		const signers = submission.definition
			? (JSON.parse(submission.definition) as { signers: { id: string; name: string }[] }).signers
			: [];
		const signer = signers.find((s) => s.id === manifest.signerId)?.name ?? manifest.signerId;
		const { title } = submission;
		const reason = manifest.decision.reason;
		const link = `${deps.origin}/admin/contracts/${encodeURIComponent(submission.id)}`;
		const message = bilingual(
			(locale) => m.life_notify_returned_subject({ title }, { locale }),
			(locale) => m.life_notify_returned_body({ signer, title, reason, link }, { locale })
		);
		await deliver(deps, submission.org_id, { to: sender.to, ...message }, sender.notifier);
	}
	await completeJob(deps.db, job.id, owner, deps.clock());
}

/**
 * LC5: tells the signers with a contact that the contract was resent and waits for their
 * decision again: a new round asks everyone, since every earlier decision was on an older
 * revision; in a sequential contract the later ones hear at their turn (LC8). A failed delivery is in the outbox for the admin and does not stop the rest.
 */
export async function notifyResent(
	deps: LifecycleNoticeDeps,
	job: Job,
	owner: string
): Promise<void> {
	const id = job.subject.slice(0, job.subject.lastIndexOf('@'));
	const envelope = await deps.db
		.selectFrom('envelopes')
		.select(['title', 'org_id', 'status'])
		.where('id', '=', id)
		.executeTakeFirst();
	if (envelope?.status === 'sent') {
		// A new round: in a sequential contract only its first signers are asked now (LC8).
		const stored = await loadEnvelope(deps.db, id);
		const due = new Set(stored ? signersDue(stored.envelope, []) : []);
		const parties = await deps.db
			.selectFrom('contract_signers')
			.select(['signer_id', 'name', 'contact'])
			.where('envelope_id', '=', id)
			.where('contact', 'is not', null)
			.execute();
		const title = envelope.title;
		const link = `${deps.origin}/inbox/${encodeURIComponent(id)}`;
		for (const party of parties.filter((p) => due.has(p.signer_id))) {
			const message = bilingual(
				(locale) => m.life_notify_resent_subject({ title }, { locale }),
				(locale) => m.life_notify_resent_body({ name: party.name, title, link }, { locale })
			);
			await deliver(deps, envelope.org_id, { to: party.contact!, ...message });
		}
	}
	await completeJob(deps.db, job.id, owner, deps.clock());
}
