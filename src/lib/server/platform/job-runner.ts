import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Clock } from './clock';
import { claimJob, DEFAULT_JOB_OPTIONS, failJob, type Job, type JobOptions } from './jobs';

/** Does one job. It marks the job done itself (completeJob in its own transaction) or throws. */
export type JobHandler = (job: Job, owner: string) => Promise<unknown>;

/**
 * Runs the due jobs of this process (J2, J3): on a timer, when kicked after a write that queued
 * one, and once at start, which is how jobs left by a crashed process are resumed. One pass at a
 * time; a kick during a pass runs another pass after it, so a job queued meanwhile is not left
 * waiting for the next tick.
 */
export class JobRunner {
	readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
	private readonly handlers = new Map<string, JobHandler>();
	private timer: ReturnType<typeof setInterval> | null = null;
	private pass: Promise<number> | null = null;
	private again = false;

	constructor(
		private readonly db: Kysely<Database>,
		private readonly clock: Clock,
		private readonly options: JobOptions = DEFAULT_JOB_OPTIONS,
		private readonly log: (message: string) => void = (m) => console.warn(m)
	) {}

	register(kind: string, handler: JobHandler): this {
		this.handlers.set(kind, handler);
		return this;
	}

	/** Runs every due job of every registered kind until none is due; returns how many ran. */
	runDue(): Promise<number> {
		if (this.pass) {
			this.again = true;
			return this.pass;
		}
		const run = async () => {
			let count = 0;
			do {
				this.again = false;
				for (const [kind, handler] of this.handlers) {
					for (;;) {
						const job = await claimJob(this.db, kind, this.owner, this.clock(), this.options);
						if (!job) break;
						count += 1;
						try {
							await handler(job, this.owner);
						} catch (error) {
							const reason = error instanceof Error ? error.message : String(error);
							this.log(
								`SealPass: job ${kind} ${job.subject} failed (attempt ${job.attempts}): ${reason}`
							);
							await failJob(this.db, job, this.owner, this.clock(), reason, this.options);
						}
					}
				}
			} while (this.again);
			return count;
		};
		this.pass = run().finally(() => {
			this.pass = null;
		});
		return this.pass;
	}

	/** Asks for a pass soon, without waiting for it; errors are logged, never thrown. */
	kick(): void {
		this.runDue().catch((error: unknown) =>
			this.log(`SealPass: job pass failed: ${String(error)}`)
		);
	}

	/** Starts the timer and a first pass (resuming what a previous process left). */
	start(intervalMs = 5_000): void {
		if (this.timer) return;
		this.timer = setInterval(() => this.kick(), intervalMs);
		// The timer alone must not keep a process alive (tests, the CLI).
		this.timer.unref();
		this.kick();
	}

	/** Stops the timer and waits for a running pass to end. */
	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.pass?.catch(() => undefined);
	}
}
