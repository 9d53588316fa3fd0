import type { Kysely } from 'kysely';
import { m } from '$lib/paraglide/messages';
import { deadlineEnd, nextReminderAt } from '$lib/domain/deadline';
import { isSignersTurn } from '$lib/domain/rules';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';
import { completeJob, enqueueJob, type Job } from '../platform/jobs';
import { bilingual, type Notifiers } from '../platform/notify';
import { deliver } from '../platform/outbox';
import { acceptedManifests, loadEnvelope } from './envelopes';
import { reminderPlan, type ReminderRow } from './reminder-plan';

/** The job kind of one reminder occurrence; its subject is `<envelope id>@<ISO instant>`. */
export const REMINDER_JOB = 'reminder';

/**
 * Queues the contract's next reminder after `after` (DL6), in the caller's transaction: sending a
 * contract, extending its deadline and sending one reminder each queue the one that follows. The
 * subject names the occurrence, so queuing it twice (two processes, a retried request) is a no-op.
 */
export async function queueNextReminder(
	trx: Kysely<Database>,
	row: ReminderRow,
	after: Date,
	now: Date
): Promise<Date | null> {
	const plan = reminderPlan(row);
	if (!plan || !row.deadline) return null;
	const at = nextReminderAt(deadlineEnd(row.deadline), plan, after);
	if (at) await enqueueJob(trx, REMINDER_JOB, `${row.id}@${at.toISOString()}`, now, at);
	return at;
}

export interface ReminderDeps {
	db: Kysely<Database>;
	clock: Clock;
	origin: string;
	notifiers: Notifiers;
}

/**
 * Sends one reminder occurrence (DL6) to each signer who must still decide and whose turn it is,
 * then marks the job done and queues the next occurrence together. An occurrence the plan no
 * longer has (the deadline moved, the contract closed) ends without a message; the extension
 * queued its own. A crash between the messages and the commit may send one twice, never none.
 */
export async function sendReminder(deps: ReminderDeps, job: Job, owner: string): Promise<number> {
	const [id, atIso] = splitSubject(job.subject);
	const now = deps.clock();
	const row = await deps.db
		.selectFrom('envelopes')
		.select(['id', 'title', 'org_id', 'status', 'deadline'])
		.select(['reminder_first_days', 'reminder_every_days'])
		.where('id', '=', id)
		.executeTakeFirst();
	const plan = row ? reminderPlan(row) : null;
	const at = new Date(atIso);
	const current =
		row?.status === 'sent' &&
		plan !== null &&
		now.getTime() < Date.parse(deadlineEnd(row.deadline!)) &&
		nextReminderAt(deadlineEnd(row.deadline!), plan, new Date(at.getTime() - 1))?.getTime() ===
			at.getTime();
	let sent = 0;
	if (row && current) {
		for (const signer of await signersToRemind(deps.db, id)) {
			const link = `${deps.origin}/inbox/${encodeURIComponent(id)}`;
			const message = bilingual(
				(locale) => m.notify_reminder_subject({ title: row.title }, { locale }),
				(locale) =>
					m.notify_reminder_body(
						{ name: signer.name, title: row.title, day: row.deadline!, link },
						{ locale }
					)
			);
			// A failed delivery is in the notifications outbox for the admin; the others still go.
			await deliver(deps, row.org_id, {
				to: signer.contact,
				...message
			});
			sent += 1;
		}
	}
	await deps.db.transaction().execute(async (trx) => {
		await completeJob(trx, job.id, owner, now);
		if (row && current) await queueNextReminder(trx, row, at, now);
	});
	return sent;
}

/** `<envelope id>@<ISO instant>`: the id may not contain '@', the instant never does. */
function splitSubject(subject: string): [string, string] {
	const cut = subject.lastIndexOf('@');
	return [subject.slice(0, cut), subject.slice(cut + 1)];
}

/**
 * The signers with a contact who have not decided in the current round (LC2) and whose turn it
 * is (R9): in a sequential contract a later signer hears nothing until the earlier ones signed.
 */
async function signersToRemind(
	db: Kysely<Database>,
	id: string
): Promise<{ name: string; contact: string }[]> {
	const stored = await loadEnvelope(db, id);
	if (!stored) return [];
	const accepted = await acceptedManifests(db, stored.envelope);
	const decided = new Set(accepted.map((manifest) => manifest.signerId));
	const waiting = stored.envelope.signers.filter(
		(s) => !decided.has(s.id) && isSignersTurn(stored.envelope, accepted, s.id)
	);
	if (waiting.length === 0) return [];
	const contacts = await db
		.selectFrom('contract_signers')
		.select(['signer_id', 'name', 'contact'])
		.where('envelope_id', '=', id)
		.where(
			'signer_id',
			'in',
			waiting.map((s) => s.id)
		)
		.execute();
	return contacts.flatMap((c) => (c.contact ? [{ name: c.name, contact: c.contact }] : []));
}
