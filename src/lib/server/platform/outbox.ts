import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database, Db, NotifyChannel } from '../db/schema';
import type { Clock } from './clock';
import { claimJob, completeJob, DEFAULT_JOB_OPTIONS, enqueueJob, failJob, type Job } from './jobs';
import {
	NotifyError,
	notifierFor,
	type Notifier,
	type Notifiers,
	type NotifyMessage
} from './notify';

/**
 * The message outbox. Every message is first a `notifications` row with a job (kind
 * MESSAGE_JOB, subject the row's id), written in the caller's transaction: an invitation and
 * the message that carries its code commit together or not at all. The job runner then sends
 * it, retrying with a doubling wait (jobs.ts) while the provider fails, so a mail server or an
 * SMS provider that is down delays a message instead of losing it.
 */
export const MESSAGE_JOB = 'message';

const NOTICE_SMS: NonNullable<NotifyMessage['sms']> = { template: 'notice', params: {} };

/**
 * Writes a message and its send job, in `db` (pass the transaction of the write it belongs
 * to). The body and SMS variables are kept until the message has gone out: the worker needs
 * them to send it again. Returns the notification id.
 */
export async function queueMessage(
	db: Db,
	clock: Clock,
	orgId: string,
	channel: NotifyChannel,
	message: NotifyMessage
): Promise<string> {
	const id = randomUUID();
	const now = clock();
	await db
		.insertInto('notifications')
		.values({
			id,
			channel,
			recipient: message.to,
			subject: message.subject,
			body: message.body,
			// A message with no SMS form of its own (a contract notice) goes to a phone as the
			// generic notice template, which points at the fixed site.
			sms_json: channel === 'sms' ? JSON.stringify(message.sms ?? NOTICE_SMS) : null,
			created_at: now.toISOString(),
			sent_at: null,
			error: null,
			org_id: orgId
		})
		.execute();
	await enqueueJob(db, MESSAGE_JOB, id, now);
	return id;
}

export interface OutboxDeps {
	db: Kysely<Database>;
	clock: Clock;
	notifiers: Notifiers;
}

/** The notifier of a stored channel; null when the server no longer has it configured. */
function notifierOf(notifiers: Notifiers, channel: NotifyChannel): Notifier | null {
	return channel === 'console' ? notifiers.console : notifiers[channel];
}

/**
 * The job handler: sends one queued message. On success the row is marked sent and, for a
 * real channel, its body and SMS variables are cleared (a code must not stay in the database
 * once delivered; the console outbox page is how console messages reach people, so theirs
 * stays). On failure the error is kept on the row for the admin and thrown, so the runner
 * queues the job again after its backoff.
 */
export async function sendQueuedMessage(deps: OutboxDeps, job: Job, owner: string): Promise<void> {
	const row = await deps.db
		.selectFrom('notifications')
		.selectAll()
		.where('id', '=', job.subject)
		.executeTakeFirst();
	if (!row || row.sent_at) {
		await completeJob(deps.db, job.id, owner, deps.clock());
		return;
	}
	try {
		const notifier = notifierOf(deps.notifiers, row.channel);
		if (!notifier) throw new NotifyError(`${row.channel} delivery is no longer configured`);
		await notifier.send({
			to: row.recipient,
			subject: row.subject,
			body: row.body,
			sms: row.sms_json ? JSON.parse(row.sms_json) : undefined
		});
	} catch (error) {
		const text = error instanceof Error ? error.message : String(error);
		await deps.db
			.updateTable('notifications')
			.set({ error: text })
			.where('id', '=', row.id)
			.execute();
		throw error;
	}
	await deps.db.transaction().execute(async (trx) => {
		await trx
			.updateTable('notifications')
			.set({
				sent_at: deps.clock().toISOString(),
				error: null,
				...(row.channel === 'console' ? {} : { body: '', sms_json: null })
			})
			.where('id', '=', row.id)
			.execute();
		await completeJob(trx, job.id, owner, deps.clock());
	});
}

/**
 * Tries one queued message now, in the request that queued it, so the person who sent it
 * hears at once whether it went; a failure leaves the job queued with its backoff for the
 * worker. Returns the outcome of this attempt (ok also when a worker was already on it).
 */
export async function attemptMessage(
	deps: OutboxDeps,
	notificationId: string
): Promise<{ ok: true } | { ok: false; error: string }> {
	const owner = `request:${randomUUID()}`;
	const job = await claimJob(deps.db, MESSAGE_JOB, owner, deps.clock(), {
		...DEFAULT_JOB_OPTIONS,
		subject: notificationId
	});
	if (!job) return { ok: true };
	try {
		await sendQueuedMessage(deps, job, owner);
		return { ok: true };
	} catch (error) {
		const text = error instanceof Error ? error.message : String(error);
		await failJob(deps.db, job, owner, deps.clock(), text);
		return { ok: false, error: text };
	}
}

/**
 * Queues a message on the channel for its recipient and tries it at once: the form for code
 * that is not inside a transaction of its own (contract notices). Whatever this attempt gives, the message stays in the outbox
 * until it went out or the job gave up.
 */
export async function deliver(
	deps: OutboxDeps,
	orgId: string,
	message: NotifyMessage,
	notifier: Notifier = notifierFor(deps.notifiers, message.to)
): Promise<{ ok: true } | { ok: false; error: string }> {
	const id = await queueMessage(deps.db, deps.clock, orgId, notifier.channel, message);
	return attemptMessage(deps, id);
}
