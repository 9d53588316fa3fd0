import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, JobTable } from '../db/schema';

/**
 * Background jobs kept in the database (SPEC J1–J4), so a job survives a restart and any server
 * process may run it. One row per (kind, subject): queuing twice is a no-op. A process takes a
 * job by a conditional update that only one writer can win, and holds it for a lease; a job
 * whose lease ran out (the process died) is due again, so no job is lost and none runs twice at
 * once.
 */

export interface Job {
	id: string;
	kind: string;
	subject: string;
	/** How many times the job was taken, this time included. */
	attempts: number;
}

export interface JobOptions {
	/** How long a taken job is held before another process may take it over. */
	leaseMs: number;
	/** After this many failed attempts the job stops being retried (state `failed`). */
	maxAttempts: number;
	/** The wait before the first retry; doubled after each further failure. */
	retryMs: number;
}

export const DEFAULT_JOB_OPTIONS: JobOptions = {
	leaseMs: 5 * 60_000,
	maxAttempts: 8,
	retryMs: 30_000
};

/** Queues a job for a subject unless one exists already (in any state): J1. */
export async function enqueueJob(
	db: Db,
	kind: string,
	subject: string,
	now: Date,
	runAfter: Date = now
): Promise<void> {
	await enqueueJobInsert(db, kind, subject, now, runAfter).execute();
}

/** enqueueJob's statement, unsent: for a caller sending several writes together (runTogether). */
export function enqueueJobInsert(
	db: Db,
	kind: string,
	subject: string,
	now: Date,
	runAfter: Date = now
) {
	const at = now.toISOString();
	return db
		.insertInto('jobs')
		.values({
			id: randomUUID(),
			kind,
			subject,
			state: 'queued',
			run_after: runAfter.toISOString(),
			lease_owner: null,
			lease_until: null,
			last_error: null,
			created_at: at,
			updated_at: at
		})
		.onConflict((oc) => oc.columns(['kind', 'subject']).doNothing());
}

/** The job of a kind for a subject, or undefined. */
export function findJob(db: Db, kind: string, subject: string) {
	return db
		.selectFrom('jobs')
		.selectAll()
		.where('kind', '=', kind)
		.where('subject', '=', subject)
		.executeTakeFirst();
}

/**
 * Takes the next due job of a kind for `owner` (J2): a queued one whose time has come, or a
 * running one whose lease has run out; with `subject`, only that subject's job (a request that
 * tries its own message at once). The update repeats the due condition, so when two
 * processes pick the same row only one update changes it and the other looks again.
 */
export async function claimJob(
	db: Db,
	kind: string,
	owner: string,
	now: Date,
	options: Pick<JobOptions, 'leaseMs'> & { subject?: string } = DEFAULT_JOB_OPTIONS
): Promise<Job | null> {
	const at = now.toISOString();
	const until = new Date(now.getTime() + options.leaseMs).toISOString();
	for (;;) {
		const due = await db
			.selectFrom('jobs')
			.select(['id'])
			.where('kind', '=', kind)
			.$if(options.subject !== undefined, (qb) => qb.where('subject', '=', options.subject!))
			.where((eb) =>
				eb.or([
					eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', at)]),
					eb.and([eb('state', '=', 'running'), eb('lease_until', '<', at)])
				])
			)
			.orderBy('run_after')
			.orderBy('id')
			.limit(1)
			.executeTakeFirst();
		if (!due) return null;
		const taken = await db
			.updateTable('jobs')
			.set({
				state: 'running',
				lease_owner: owner,
				lease_until: until,
				attempts: sql`attempts + 1`,
				updated_at: at
			})
			.where('id', '=', due.id)
			.where((eb) =>
				eb.or([
					eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', at)]),
					eb.and([eb('state', '=', 'running'), eb('lease_until', '<', at)])
				])
			)
			.returning(['id', 'kind', 'subject', 'attempts'])
			.executeTakeFirst();
		if (taken) return { ...taken, attempts: Number(taken.attempts) };
	}
}

/**
 * Marks a job done (J3), only while `owner` still holds it: a process whose lease was taken over
 * must not finish the job a second time. Run it in the transaction of the job's own writes, so
 * the work and "done" commit together. Returns whether the job was still this owner's.
 */
export async function completeJob(db: Db, id: string, owner: string, now: Date): Promise<boolean> {
	const result = await db
		.updateTable('jobs')
		.set({ state: 'done', lease_owner: null, lease_until: null, updated_at: now.toISOString() })
		.where('id', '=', id)
		.where('state', '=', 'running')
		.where('lease_owner', '=', owner)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/**
 * Records a failed attempt (J3): the job is queued again after a doubling wait, or stops as
 * `failed` after `maxAttempts`, keeping the error for the operator.
 */
export async function failJob(
	db: Db,
	job: Job,
	owner: string,
	now: Date,
	error: string,
	options: Pick<JobOptions, 'maxAttempts' | 'retryMs'> = DEFAULT_JOB_OPTIONS
): Promise<void> {
	const giveUp = job.attempts >= options.maxAttempts;
	const wait = options.retryMs * 2 ** Math.max(0, job.attempts - 1);
	await db
		.updateTable('jobs')
		.set({
			state: giveUp ? 'failed' : 'queued',
			run_after: new Date(now.getTime() + wait).toISOString(),
			lease_owner: null,
			lease_until: null,
			last_error: error.slice(0, 2000),
			updated_at: now.toISOString()
		})
		.where('id', '=', job.id)
		.where('lease_owner', '=', owner)
		.execute();
}

/**
 * Puts a job on hold or takes it off hold (J4). A held job is never taken; releasing queues it
 * at once. Holding a job that is done changes nothing: what was done stays done.
 */
export async function setJobHeld(
	db: Db,
	kind: string,
	subject: string,
	held: boolean,
	now: Date
): Promise<void> {
	const from: JobTable['state'][] = held ? ['queued', 'running', 'failed'] : ['held'];
	await db
		.updateTable('jobs')
		.set({
			state: held ? 'held' : 'queued',
			run_after: now.toISOString(),
			lease_owner: null,
			lease_until: null,
			updated_at: now.toISOString()
		})
		.where('kind', '=', kind)
		.where('subject', '=', subject)
		.where('state', 'in', from)
		.execute();
}
