import type { Kysely } from 'kysely';
import { m } from '$lib/paraglide/messages';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';
import { completeJob, type Job } from '../platform/jobs';
import { bilingual, type Notifiers } from '../platform/notify';
import { deliver } from '../platform/outbox';
import { verifyUrl } from './certificate-data';

/** The job kind that tells every party a contract was finalised (queued with the final file). */
export const COMPLETED_NOTICE_JOB = 'completed-notice';

export interface NoticeDeps {
	db: Kysely<Database>;
	clock: Clock;
	origin: string;
	notifiers: Notifiers;
}

/**
 * Tells every party of a finalised contract that it is complete, with the link that opens it and
 * the verify page (C7). Queued in the finalisation's transaction, so a crash after the final file
 * committed still sends the messages; a crash half-way may send some twice, never none. Each
 * message and its outcome is in the notifications outbox; a party without a contact is skipped.
 */
export async function notifyCompleted(deps: NoticeDeps, job: Job, owner: string): Promise<void> {
	const id = job.subject;
	const envelope = await deps.db
		.selectFrom('envelopes')
		.select(['title', 'org_id', 'final_sha256'])
		.where('id', '=', id)
		.executeTakeFirst();
	if (envelope?.final_sha256) {
		const parties = await deps.db
			.selectFrom('contract_signers')
			.select(['name', 'contact'])
			.where('envelope_id', '=', id)
			.where('contact', 'is not', null)
			.execute();
		const title = envelope.title;
		const link = `${deps.origin}/inbox/${encodeURIComponent(id)}`;
		const verify = verifyUrl(deps.origin, id);
		for (const party of parties) {
			const message = bilingual(
				(locale) => m.notify_completed_subject({ title }, { locale }),
				(locale) => m.notify_completed_body({ name: party.name, title, link, verify }, { locale })
			);
			// A failed delivery is recorded in the outbox for the admin; it does not stop the rest.
			await deliver(deps, envelope.org_id, {
				to: party.contact!,
				...message
			});
		}
	}
	await completeJob(deps.db, job.id, owner, deps.clock());
}
