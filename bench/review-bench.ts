// The review benchmark (docs/perf.md). Bundled for Node by vite.node.config.ts and driven by
// bench/run.mjs in a fresh process. Two figures, each a ratio measured within this run:
// 1. the admin list and detail queries at 100 000 submissions against the same queries at 1 000
//    (goal ≤ 2: every query is read off an index, so the table's size must hardly matter);
// 2. verified-submission ingest throughput (real ingest, real WebAuthn verification with a
//    software passkey) against the throughput of the bare health check on the same database.
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { testEngine } from '../tests/support/test-db';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { App } from '$lib/server/platform/app';
import { checkHealth } from '$lib/server/platform/health';
import { ingestSubmission } from '$lib/server/sync/ingest';
import { listReview, reviewDetail, type ReviewFilter } from '$lib/server/review';
import { canonicalJson } from '$lib/domain/canonical';
import { sampleManifest } from '$lib/domain/fixtures';
import { createReviewWorld, type ReviewWorld } from '../tests/support/review-world';
import { randomServerKeys, useServerKeys } from '$lib/server/platform/secrets';

// Ingest appends audit rows and signs the chain head: the keys a first start would create.
useServerKeys(randomServerKeys());

// Few enough that every filter still fills a whole page at 1 000 rows: the two sizes must
// return the same number of rows, or the ratio would measure page length, not table size.
const SIGNERS = 10;
const CONTRACTS = 10;
const STATUSES = ['accepted', 'refused', 'flagged', 'reviewed-ok'] as const;

/**
 * Adds `count` submissions straight into the tables in one transaction (unverified: the query
 * cost does not depend on whether the assertions verify). Spread over signers, contracts,
 * statuses, decisions and offline/online like real traffic; receipt times one minute apart.
 */
function fill(world: ReviewWorld, count: number): { ids: string[] } {
	const file = new SQLite(join(world.dir, 'app.db'));
	file.pragma('journal_mode = WAL');
	// Generated rows, thrown away after the run: no fsync, and a cache big enough that the random
	// UUID keys do not thrash the disk (the fill took 100 s of mostly I/O wait without it).
	file.pragma('synchronous = OFF');
	file.pragma('cache_size = -262144');
	const at = '2026-01-01T00:00:00.000Z';
	const insertUser = file.prepare(
		`insert into users (id, org_id, display_name, role, created_at) values (?, 'org', ?, 'signer', ?)`
	);
	const insertCredential = file.prepare(
		`insert into credentials (id, user_id, public_key, counter, transports, device_type, backed_up, name, created_at)
		 values (?, ?, x'00', 0, '[]', 'singleDevice', 0, 'bench', ?)`
	);
	const insertEnvelope = file.prepare(
		`insert into envelopes (id, org_id, title, doc_sha256, page_count, status, created_at, definition)
		 values (?, 'org', ?, ?, 3, 'sent', ?, null)`
	);
	const insertTicket = file.prepare(
		`insert into tickets (id, user_id, credential_id, nonce, issued_at, expires_at, used_at, used_by_submission)
		 values (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const insertSubmission = file.prepare(
		`insert into submissions (id, envelope_id, seq, user_id, credential_id, ticket_id, manifest_json, manifest_hash,
		 assertion_json, device_time, received_at, status) values (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, 'accepted')`
	);
	const insertItem = file.prepare(
		`insert into review_items (id, org_id, submission_id, envelope_id, user_id, received_at, status, decision, offline, code)
		 values (?, 'org', ?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const docHash = 'd'.repeat(64);
	const ids: string[] = [];
	const seqs = new Map<string, number>();
	file.transaction(() => {
		for (let s = 0; s < SIGNERS; s++) {
			insertUser.run(`bench-user-${s}`, `Signer ${s}`, at);
			insertCredential.run(`bench-cred-${s}`, `bench-user-${s}`, at);
		}
		for (let c = 0; c < CONTRACTS; c++) {
			insertEnvelope.run(`bench-env-${c}`, `Contract ${c}`, docHash, at);
		}
		const start = Date.parse('2026-01-01T00:00:00Z');
		for (let i = 0; i < count; i++) {
			const id = randomUUID();
			const user = `bench-user-${i % SIGNERS}`;
			const credential = `bench-cred-${i % SIGNERS}`;
			const envelope = `bench-env-${(i * 7) % CONTRACTS}`;
			const received = new Date(start + i * 60_000).toISOString();
			const offline = i % 3 === 0;
			const device = new Date(start + i * 60_000 - (offline ? 3_600_000 : 2_000)).toISOString();
			const status = STATUSES[i % STATUSES.length]!;
			const rejected = i % 10 === 0;
			const ticket = `bench-ticket-${i}`;
			const manifest = sampleManifest({
				envelopeId: envelope,
				docHash,
				credentialId: credential,
				ticket: { id: ticket, nonce: `n${i}` },
				deviceTime: device,
				decision: rejected ? { kind: 'rejected', reason: 'bench' } : { kind: 'signed' }
			});
			const seq = (seqs.get(envelope) ?? 0) + 1;
			seqs.set(envelope, seq);
			insertTicket.run(
				ticket,
				user,
				credential,
				`n${i}`,
				at,
				'2027-01-01T00:00:00.000Z',
				received,
				id
			);
			insertSubmission.run(
				id,
				envelope,
				seq,
				user,
				credential,
				ticket,
				canonicalJson(manifest),
				`${i.toString(16).padStart(64, '0')}`,
				device,
				received
			);
			insertItem.run(
				id,
				status === 'refused' ? null : id,
				envelope,
				user,
				received,
				status,
				status === 'refused' ? null : rejected ? 'rejected' : 'signed',
				status === 'refused' ? null : offline ? 1 : 0,
				status === 'refused' ? 'TICKET_USED' : null
			);
			if (status !== 'refused') ids.push(id);
		}
	})();
	file.close();
	return { ids };
}

/** The placeholders of the manifest template that PostgreSQL fills in per row. */
const SLOT = {
	envelope: '@@ENV@@',
	ticket: '@@TICKET@@',
	nonce: '@@NONCE@@',
	device: '@@DEVICE@@'
};

/**
 * The same rows as `fill`, generated inside PostgreSQL (generate_series) so a million rows take
 * minutes rather than a million round trips. Each manifest is the canonical JSON of the same
 * sample manifest with its envelope, ticket and device time put in by replace().
 */
async function fillPostgres(world: ReviewWorld, count: number): Promise<{ ids: string[] }> {
	const db = world.open.db;
	const at = '2026-01-01T00:00:00.000Z';
	const docHash = 'd'.repeat(64);
	for (let s = 0; s < SIGNERS; s++) {
		await db
			.insertInto('users')
			.values({
				id: `bench-user-${s}`,
				org_id: 'org',
				display_name: `Signer ${s}`,
				role: 'signer',
				created_at: at
			})
			.execute();
		await sql`insert into credentials (id, user_id, public_key, counter, transports, device_type, backed_up, name, created_at)
			values (${`bench-cred-${s}`}, ${`bench-user-${s}`}, ${Buffer.from([0])}, 0, '[]', 'singleDevice', 0, 'bench', ${at})`.execute(
			db
		);
	}
	for (let c = 0; c < CONTRACTS; c++) {
		await sql`insert into envelopes (id, org_id, title, doc_sha256, page_count, status, created_at, definition)
			values (${`bench-env-${c}`}, 'org', ${`Contract ${c}`}, ${docHash}, 3, 'sent', ${at}, null)`.execute(
			db
		);
	}
	const template = (decision: 'signed' | 'rejected') =>
		canonicalJson(
			sampleManifest({
				envelopeId: SLOT.envelope,
				docHash,
				credentialId: 'bench-cred-0',
				ticket: { id: SLOT.ticket, nonce: SLOT.nonce },
				deviceTime: SLOT.device,
				decision:
					decision === 'rejected' ? { kind: 'rejected', reason: 'bench' } : { kind: 'signed' }
			})
		);
	// Row i: as in `fill` (signer i % 10, contract 7i % 10, a minute apart, every third offline,
	// every tenth returned, statuses in turn); seq is i / 10 + 1 because 7i % 10 visits each
	// contract once in every ten rows.
	await sql`create temporary table bench_rows as
		select i,
			md5('bench-' || i)::uuid::text as id,
			'bench-user-' || (i % ${sql.lit(SIGNERS)}) as user_id,
			'bench-cred-' || (i % ${sql.lit(SIGNERS)}) as credential_id,
			'bench-env-' || ((i * 7) % ${sql.lit(CONTRACTS)}) as envelope_id,
			to_char(timestamp '2026-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as received,
			to_char(timestamp '2026-01-01' + i * interval '1 minute'
				- case when i % 3 = 0 then interval '1 hour' else interval '2 seconds' end,
				'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as device,
			(array['accepted', 'refused', 'flagged', 'reviewed-ok'])[i % 4 + 1] as status,
			i % 10 = 0 as rejected,
			i % 3 = 0 as offline
		from generate_series(0, ${sql.lit(count - 1)}) as i`.execute(db);
	await sql`insert into tickets (id, user_id, credential_id, nonce, issued_at, expires_at, used_at, used_by_submission)
		select 'bench-ticket-' || i, user_id, credential_id, 'n' || i, ${at}, '2027-01-01T00:00:00.000Z', received, id
		from bench_rows`.execute(db);
	// The sync stamp trigger updates the same ten envelope rows and the one clock row per
	// submission: a million versions of ten rows in one transaction made the fill quadratic (20,000
	// rows took 19 s). The review queries never read the stamp, so it is off for the fill.
	await sql`alter table submissions disable trigger submissions_accepted_sync`.execute(db);
	await sql`insert into submissions (id, envelope_id, seq, user_id, credential_id, ticket_id, manifest_json,
			manifest_hash, assertion_json, device_time, received_at, status)
		select id, envelope_id, i / 10 + 1, user_id, credential_id, 'bench-ticket-' || i,
			replace(replace(replace(replace(
				case when rejected then ${template('rejected')} else ${template('signed')} end,
				${SLOT.envelope}, envelope_id), ${SLOT.ticket}, 'bench-ticket-' || i),
				${SLOT.nonce}, 'n' || i), ${SLOT.device}, device),
			lpad(to_hex(i), 64, '0'), '{}', device, received, 'accepted'
		from bench_rows`.execute(db);
	await sql`alter table submissions enable trigger submissions_accepted_sync`.execute(db);
	await sql`insert into review_items (id, org_id, submission_id, envelope_id, user_id, received_at, status, decision, offline, code)
		select id, 'org', case when status = 'refused' then null else id end, envelope_id, user_id, received, status,
			case when status = 'refused' then null when rejected then 'rejected' else 'signed' end,
			case when status = 'refused' then null when offline then 1 else 0 end,
			case when status = 'refused' then 'TICKET_USED' end
		from bench_rows`.execute(db);
	const { rows } = await sql<{
		id: string;
	}>`select id from bench_rows where status <> 'refused' order by i`.execute(db);
	await sql`drop table bench_rows`.execute(db);
	await sql`analyze`.execute(db);
	return { ids: rows.map((r) => r.id) };
}

const now = () => process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The list queries an admin runs: first pages of every filter and a page deep in the table. */
function listCases(count: number): [string, ReviewFilter][] {
	const mid = new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(count / 2) * 60_000);
	const cursor = Buffer.from(JSON.stringify([mid.toISOString(), 'ffffffff'])).toString('base64url');
	return [
		['list_newest', {}],
		['list_contract', { contract: 'bench-env-3' }],
		['list_signer', { signer: 'bench-user-7' }],
		['list_status_flagged', { status: 'flagged' }],
		['list_decision_rejected', { decision: 'rejected' }],
		['list_offline', { mode: 'offline' }],
		['list_date_range', { from: '2026-01-01T02:00:00.000Z', to: '2026-01-01T10:00:00.000Z' }],
		['list_deep_page', { cursor }],
		['list_signer_deep_page', { signer: 'bench-user-7', cursor }]
	];
}

/**
 * Times each list and the detail query at 1 000 and at 100 000 submissions. The two databases
 * are measured in alternating rounds, so a busy machine slows both alike and the ratio holds.
 */
export async function measureQueries(
	smallCount = 1_000,
	largeCount = 100_000
): Promise<Record<string, unknown>[]> {
	const small = await createReviewWorld();
	const large = await createReviewWorld();
	try {
		const sizes = [
			{ world: small, count: smallCount },
			{ world: large, count: largeCount }
		];
		const fillMs: number[] = [];
		const ids: string[][] = [];
		for (const { world, count } of sizes) {
			const t0 = now();
			const filled =
				testEngine === 'postgres' ? await fillPostgres(world, count) : fill(world, count);
			fillMs.push(ms(t0, now()));
			ids.push(filled.ids);
		}
		const cases: [string, (i: number, round: number) => Promise<unknown>][] = [];
		const filters = sizes.map(({ count }) => new Map(listCases(count)));
		for (const [name] of listCases(smallCount)) {
			cases.push([name, (i) => listReview(sizes[i]!.world.open.db, 'org', filters[i]!.get(name)!)]);
		}
		cases.push([
			'detail',
			(i, round) => {
				const list = ids[i]!;
				return reviewDetail(sizes[i]!.world.open.db, 'org', list[(round * 7919) % list.length]!);
			}
		]);
		const results: Record<string, unknown>[] = [];
		// A million-row database answers slower per query on a busy machine: fewer rounds there.
		const rounds = largeCount > 100_000 ? 100 : 300;
		for (const [name, run] of cases) {
			const times: [number[], number[]] = [[], []];
			for (let round = 0; round < 20; round++) for (const i of [0, 1]) await run(i, round);
			for (let round = 0; round < rounds; round++) {
				for (const i of [0, 1] as const) {
					const t0 = now();
					const answer = await run(i, round);
					times[i].push(ms(t0, now()));
					if (!answer) throw new Error(`${name} found nothing`);
				}
			}
			const atSmall = median(times[0]);
			const atLarge = median(times[1]);
			results.push({
				query: name,
				engine: testEngine,
				rows: [smallCount, largeCount],
				median_ms_small: +atSmall.toFixed(4),
				median_ms_large: +atLarge.toFixed(4),
				ratio_large_over_small: +(atLarge / atSmall).toFixed(3)
			});
		}
		return [
			{
				engine: testEngine,
				rows: [smallCount, largeCount],
				fill_ms: fillMs.map((t) => Math.round(t))
			},
			...results
		];
	} finally {
		await small.close();
		await large.close();
	}
}

/**
 * Verified submissions per second through the real ingest (bodies signed beforehand, so the
 * figure is the server's work), against bare health checks per second on the same database.
 */
export async function measureIngest(count = 150): Promise<Record<string, unknown>> {
	const world = await createReviewWorld();
	try {
		// Warm-up outside the timing: JIT, statement caches, the blob files.
		await world.addContract('warm');
		const warm = await ingestSubmission(world.deps, world.alice, await world.body('warm'));
		if (warm.status !== 201) throw new Error(`warm-up refused: ${JSON.stringify(warm.body)}`);
		const app = { database: world.open, blobs: world.blobs, version: 'bench' } as unknown as App;
		for (let i = 0; i < 100; i++) await checkHealth(app);
		// Bodies are signed in batches below the ticket pool's 50, then sent; only sending is timed.
		// Each batch is followed by a batch of health checks, so both see the same machine load.
		let ingestMs = 0;
		let healthMs = 0;
		let healthRuns = 0;
		for (let done = 0; done < count;) {
			const bodies: unknown[] = [];
			for (; bodies.length < 40 && done + bodies.length < count;) {
				const id = `ingest-${done + bodies.length}`;
				await world.addContract(id);
				bodies.push(await world.body(id));
			}
			const t0 = now();
			for (const body of bodies) {
				const answer = await ingestSubmission(world.deps, world.alice, body);
				if (answer.status !== 201) throw new Error(`refused: ${JSON.stringify(answer.body)}`);
			}
			ingestMs += ms(t0, now());
			done += bodies.length;
			const h0 = now();
			for (let i = 0; i < 400; i++) {
				const report = await checkHealth(app);
				if (report.status !== 'ok') throw new Error('health degraded');
			}
			healthMs += ms(h0, now());
			healthRuns += 400;
		}
		const ingestPerSecond = (count / ingestMs) * 1000;
		const healthPerSecond = (healthRuns / healthMs) * 1000;
		return {
			verified_submissions: count,
			ingest_per_second: +ingestPerSecond.toFixed(1),
			health_checks_per_second: +healthPerSecond.toFixed(1),
			ingest_over_health_throughput: +(ingestPerSecond / healthPerSecond).toFixed(4)
		};
	} finally {
		await world.close();
	}
}

/**
 * Verified ingest on PostgreSQL against SQLite in ONE process: a world on each engine, ten
 * ingests on one then ten on the other, 24 times, and the median of the per-batch ratios. A busy
 * shared machine swings whole runs by 2-5x; batches a fraction of a second apart see the same
 * load. `postgresUrl` is the server the PostgreSQL world is made on.
 */
export async function measureIngestInterleaved(
	postgresUrl: string
): Promise<Record<string, unknown>> {
	delete process.env.TEST_DATABASE_URL;
	const sqlite = await createReviewWorld();
	process.env.TEST_DATABASE_URL = postgresUrl;
	const postgres = await createReviewWorld();
	const worlds = [sqlite, postgres] as const;
	try {
		for (const world of worlds) {
			await world.addContract('warm');
			const warm = await ingestSubmission(world.deps, world.alice, await world.body('warm'));
			if (warm.status !== 201) throw new Error(`warm-up refused: ${JSON.stringify(warm.body)}`);
		}
		const rates: [number[], number[]] = [[], []];
		for (let batch = 0; batch < 24; batch++) {
			for (const [engine, world] of worlds.entries()) {
				const bodies: unknown[] = [];
				for (let i = 0; i < 10; i++) {
					await world.addContract(`b${batch}-${i}`);
					bodies.push(await world.body(`b${batch}-${i}`));
				}
				const t0 = now();
				for (const body of bodies) {
					const answer = await ingestSubmission(world.deps, world.alice, body);
					if (answer.status !== 201) throw new Error(`refused: ${JSON.stringify(answer.body)}`);
				}
				rates[engine]!.push((bodies.length / ms(t0, now())) * 1000);
			}
		}
		return {
			sqlite_per_second: +median(rates[0]).toFixed(1),
			postgres_per_second: +median(rates[1]).toFixed(1),
			median_batch_ratio: +median(rates[1].map((p, i) => p / rates[0][i]!)).toFixed(2)
		};
	} finally {
		await sqlite.close();
		await postgres.close();
	}
}

/** Child-process entry: `queries`, `ingest` or `ingest-interleaved URL`; prints one JSON line. */
export async function main(argv: string[]): Promise<void> {
	const [mode, small, large] = argv;
	const result =
		mode === 'ingest'
			? await measureIngest()
			: mode === 'ingest-interleaved'
				? await measureIngestInterleaved(small!)
				: await measureQueries(Number(small ?? 1_000), Number(large ?? 100_000));
	console.log(JSON.stringify(result));
}
