import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../scripts/server-process.mjs';
import { attachWorld } from './server-world';
import { inconsistencies, postgresInconsistencies } from '../../support/consistency';
import { startBackend, type BackendKind } from './backends';

/*
 * The sync load: `signers` devices, each holding `manifests` confirmed manifests, all syncing at
 * once against one production server process on loopback, or against several on one database
 * (`servers`), as behind a load balancer that sends each request to the next server. Each device sends its items in the
 * order they were confirmed (a passkey's counter only goes up), re-sends some as a device does
 * when an answer is lost, and retries 5xx and 429 answers a bounded number of times. Shared by
 * the always-run e2e variant and `npm run bench -- load`.
 */

export interface LoadResult {
	servers: number;
	backend: BackendKind;
	signers: number;
	manifestsEach: number;
	requests: number;
	/** Re-sends of an item already answered (a lost answer), each answered the same way. */
	resends: number;
	/** Answers other than 201 that a device retried (5xx, 429, connection errors). */
	retried: number;
	accepted: number;
	submissionsStored: number;
	envelopesWithOneSubmission: number;
	inconsistencies: string[];
	wallMs: number;
	latencyMs: { p50: number; p95: number; max: number };
	/** The first server process's peak resident set (VmHWM), before and after the load. */
	serverPeakRssMiB: { idle: number; peak: number };
}

const MAX_ATTEMPTS = 8;

function vmHwmMiB(pid: number): number {
	const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
	return kb ? Math.round(Number(kb) / 102.4) / 10 : NaN;
}

const quantile = (sorted: number[], q: number) =>
	sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** The origin every server of a multi-server run is configured with, as a balancer's. */
const BALANCER_ORIGIN = 'http://sealpass.localhost';

export async function runLoad(
	signers: number,
	manifestsEach: number,
	servers = 1,
	/** Where the servers keep their data: the data folder's SQLite file, or PostgreSQL and S3. */
	backendKind: BackendKind = 'sqlite'
): Promise<LoadResult> {
	const dataDir = mkdtempSync(join(tmpdir(), 'sealpass-load-'));
	const backend = await startBackend(backendKind);
	const origin = servers > 1 ? BALANCER_ORIGIN : undefined;
	// Started together: on a new database they also race to migrate and seed it.
	const running = await Promise.all(
		Array.from({ length: servers }, () =>
			startServer({
				DATA_DIR: dataDir,
				SEED_DEMO: '0',
				...(origin ? { ORIGIN: origin } : {}),
				...backend.env
			})
		)
	);
	const server = running[0]!;
	// One server is called at its own origin, as before; several at their ports, under one ORIGIN.
	const urls = running.map((r) => (servers > 1 ? r.localUrl : r.url));
	const world = await attachWorld(
		{ url: urls[0]!, dataDir, databaseUrl: backend.databaseUrl },
		{ count: signers, contracts: manifestsEach, origin }
	);
	try {
		// Confirmed offline beforehand, as on the devices: tickets fetched, manifests signed.
		const outboxes = [];
		for (const signer of world.signers) {
			const tickets = await world.tickets(urls[0]!, signer);
			const items = [];
			for (const [i, envelopeId] of signer.envelopeIds.entries()) {
				items.push(await world.body(signer, envelopeId, tickets[i]!));
			}
			outboxes.push({ signer, items });
		}
		const idle = vmHwmMiB(server.pid);
		const latencies: number[] = [];
		let requests = 0;
		let resends = 0;
		let retried = 0;
		const answers = new Map<string, string>();

		let next = 0;
		const send = async (cookie: string, body: unknown) => {
			for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
				const started = performance.now();
				// Round robin, as a balancer does: a device's requests (and its re-sends) alternate.
				const url = urls[next++ % urls.length]!;
				const answer = await world
					.call(url, 'POST', '/api/submissions', cookie, body)
					.catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
				latencies.push(performance.now() - started);
				requests++;
				if (answer.status !== 0 && answer.status !== 429 && answer.status < 500) return answer;
				retried++;
				await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
			}
			throw new Error(`no final answer after ${MAX_ATTEMPTS} attempts`);
		};

		const started = performance.now();
		await Promise.all(
			outboxes.map(async ({ signer, items }) => {
				const cookie = world.cookieOf.get(signer)!;
				for (const [i, item] of items.entries()) {
					const answer = await send(cookie, item);
					if (answer.status !== 201) {
						throw new Error(`${item.idempotencyKey}: ${JSON.stringify(answer.body)}`);
					}
					answers.set(item.idempotencyKey, answer.body.submissionId as string);
					// Every fifth answer is "lost": the device sends that item again and must get
					// the same submission back, not a second one.
					if (i % 5 === 4) {
						const again = await send(cookie, item);
						resends++;
						if (again.body.submissionId !== answer.body.submissionId) {
							throw new Error(`re-send of ${item.idempotencyKey} got another answer`);
						}
					}
				}
			})
		);
		const wallMs = Math.round(performance.now() - started);
		const peak = vmHwmMiB(server.pid);

		const perEnvelope = await world.open.db
			.selectFrom('submissions')
			.select((eb) => ['envelope_id', eb.fn.countAll().as('n')])
			.groupBy('envelope_id')
			.execute();
		const sorted = latencies.sort((a, b) => a - b);
		const round = (ms: number) => Math.round(ms * 10) / 10;
		return {
			servers,
			backend: backendKind,
			signers,
			manifestsEach,
			requests,
			resends,
			retried,
			accepted: new Set(answers.values()).size,
			submissionsStored: await world.count('submissions'),
			envelopesWithOneSubmission: perEnvelope.filter((row) => Number(row.n) === 1).length,
			inconsistencies: backend.databaseUrl
				? await postgresInconsistencies(world.open.db)
				: await inconsistencies(world.dbPath, world.blobDir),
			wallMs,
			latencyMs: {
				p50: round(quantile(sorted, 0.5)),
				p95: round(quantile(sorted, 0.95)),
				max: round(sorted.at(-1)!)
			},
			serverPeakRssMiB: { idle, peak }
		};
	} finally {
		await world.close();
		await Promise.all(running.map((r) => r.stop()));
		await backend.close();
		rmSync(dataDir, { recursive: true, force: true });
	}
}
