import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { startServer, type RunningServer } from '../../scripts/server-process.mjs';
import { multiPagePdf } from '../support/test-pdfs';
import { attachWorld, type ServerWorld } from './support/server-world';
import { backendAvailable, startBackend, type Backend } from './support/backends';

// Two production server processes on one database, as behind a load balancer: any request of a
// user may reach either. Nothing a request relies on may live in one process's memory: sign-in
// challenges, sessions, tickets, idempotency, rate-limit counts and the audit chain's head are
// all read from the shared database. Both servers are started at the same moment on a new
// database, so they also race to migrate and seed it. The same tests run on the embedded
// default (one SQLite file, a blob folder) and, when the run has a PostgreSQL server
// (TEST_DATABASE_URL, as in CI), on a new PostgreSQL database with an S3 bucket (s3rver).

// The balancer's origin: the one both servers are configured with and every passkey names.
const ORIGIN = 'http://sealpass.localhost';

const BACKENDS = [
	{ name: 'one SQLite file and a blob folder', kind: 'sqlite' },
	{ name: 'PostgreSQL and an S3 bucket', kind: 'postgres' }
] as const;

for (const backend of BACKENDS) {
	test.describe(`two servers on ${backend.name}`, () => {
		test.describe.configure({ mode: 'serial' });
		test.skip(
			!backendAvailable(backend.kind),
			'needs a PostgreSQL server: set TEST_DATABASE_URL (CI does)'
		);

		let dataDir: string;
		let servers: [RunningServer, RunningServer];
		let world: ServerWorld;
		let store: Backend | undefined;

		test.beforeAll(async () => {
			test.setTimeout(180_000);
			dataDir = mkdtempSync(join(tmpdir(), 'sealpass-multi-'));
			store = await startBackend(backend.kind);
			const env = { DATA_DIR: dataDir, SEED_DEMO: '0', ORIGIN, ...store.env };
			servers = (await Promise.all([startServer(env), startServer(env)])) as [
				RunningServer,
				RunningServer
			];
			world = await attachWorld(
				{ url: servers[0].localUrl, dataDir, databaseUrl: store.databaseUrl },
				{ count: 6, contracts: 3, origin: ORIGIN }
			);
		});

		test.afterAll(async () => {
			await world?.close();
			await Promise.all((servers ?? []).map((s) => s.stop()));
			await store?.close();
			rmSync(dataDir, { recursive: true, force: true });
			rmSync(`${dataDir}.secrets.json`, { force: true });
		});

		const [A, B] = [0, 1];
		const at = (i: number) => servers[i]!.localUrl;

		test('started together on a new database, the two servers migrate it once and seed it once', async () => {
			const migrations = await world.open.db
				.selectFrom('kysely_migration' as never)
				.select((eb) => [
					eb.fn.countAll().as('rows'),
					eb.fn
						.count('name' as never)
						.distinct()
						.as('names')
				])
				.executeTakeFirstOrThrow();
			expect(Number(migrations.rows)).toBe(Number(migrations.names));
			expect(Number(migrations.rows)).toBeGreaterThanOrEqual(18);
			// The seed's organisation plus the test world's: the seed ran once.
			const orgs = await world.open.db.selectFrom('organisations').select('id').execute();
			expect(orgs).toHaveLength(2);
			for (const server of servers) {
				const health = await fetch(`${server.localUrl}/api/health`);
				expect(health.status).toBe(200);
			}
		});

		test('one user alternating servers: signs in on one, fetches tickets and syncs on the other, a re-send to the first gets the same answer', async () => {
			const signer = world.signers[0]!;
			// Sign-in: the challenge is issued by A and checked by B.
			const options = await world.call(at(A), 'POST', '/api/auth/login/options', '');
			expect(options.status).toBe(200);
			const response = await signer.key.assert({
				challenge: isoBase64URL.toBuffer(options.body.challenge as string),
				origin: ORIGIN,
				rpId: new URL(ORIGIN).hostname,
				userHandle: signer.user.id
			});
			const login = await fetch(`${at(B)}/api/auth/login/verify`, {
				method: 'POST',
				headers: { origin: ORIGIN, 'content-type': 'application/json' },
				body: JSON.stringify({ response })
			});
			expect(login.status, await login.clone().text()).toBe(200);
			const cookie = /sp_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];

			// The session works on both; tickets come from A, the submission goes to B.
			for (const i of [A, B]) {
				expect((await world.call(at(i), 'GET', '/api/inbox', cookie)).status).toBe(200);
			}
			const tickets = await world.call(at(A), 'POST', '/api/tickets', cookie, {
				credentialId: signer.key.credentialId
			});
			expect(tickets.status).toBe(200);
			const [ticket] = tickets.body.tickets as { id: string; nonce: string }[];
			const body = await world.body(signer, signer.envelopeIds[0]!, ticket!);
			const stored = await world.call(at(B), 'POST', '/api/submissions', cookie, body);
			expect(stored.status, JSON.stringify(stored.body)).toBe(201);

			// The device lost B's answer and sends again; the balancer picks A this time.
			const again = await world.call(at(A), 'POST', '/api/submissions', cookie, body);
			expect(again.body.submissionId).toBe(stored.body.submissionId);
			// A sees what B stored.
			const inbox = await world.call(at(A), 'GET', '/api/inbox', cookie);
			const item = (inbox.body.items as { id: string; myState: string }[]).find(
				(i) => i.id === signer.envelopeIds[0]
			);
			expect(item?.myState).toBe('signed');
			expect(await world.count('submissions')).toBe(1);
		});

		test('the same submission sent to both servers at once is stored once, and both answer with it', async () => {
			const signer = world.signers[1]!;
			const cookie = world.cookieOf.get(signer)!;
			const [ticket] = await world.tickets(at(B), signer);
			const body = await world.body(signer, signer.envelopeIds[0]!, ticket!);
			const before = await world.count('submissions');
			const answers = await Promise.all(
				[A, B].map((i) => world.call(at(i), 'POST', '/api/submissions', cookie, body))
			);
			for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
			expect(answers[0]!.body.submissionId).toBe(answers[1]!.body.submissionId);
			expect(await world.count('submissions')).toBe(before + 1);
		});

		test('concurrent syncs from every signer, spread over both servers, keep the audit chain linear', async () => {
			const before = await world.count('submissions');
			const signers = world.signers.slice(2);
			await Promise.all(
				signers.map(async (signer, s) => {
					const cookie = world.cookieOf.get(signer)!;
					const tickets = await world.tickets(at(s % 2), signer);
					for (const [c, envelopeId] of signer.envelopeIds.entries()) {
						const body = await world.body(signer, envelopeId, tickets[c]!);
						// Each signer's requests alternate servers; neighbours start on different ones.
						const answer = await world.call(
							at((s + c) % 2),
							'POST',
							'/api/submissions',
							cookie,
							body
						);
						expect(answer.status, JSON.stringify(answer.body)).toBe(201);
					}
				})
			);
			expect(await world.count('submissions')).toBe(
				before + signers.reduce((n, s) => n + s.envelopeIds.length, 0)
			);
			// One chain: seqs 1..n without a gap or a fork, each row linked to the one before; both
			// servers verify it up to the signed head.
			const seqs = await world.open.db
				.selectFrom('audit_log')
				.select('seq')
				.orderBy('seq')
				.execute();
			expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
			for (const i of [A, B]) {
				const verified = await world.call(
					at(i),
					'POST',
					'/api/admin/audit/verify',
					world.adminCookie
				);
				expect(verified.body).toMatchObject({ ok: true, firstBroken: null, checked: seqs.length });
			}
		});

		test('a rate limit counts the attempts a client makes at either server in one window', async () => {
			// POST /api/setup allows 20 attempts a minute per address: alternating servers does not get
			// a 21st through (each server counting alone would allow 40).
			const statuses: number[] = [];
			for (let n = 0; n < 22; n++) {
				const answer = await world.call(at(n % 2), 'POST', '/api/setup', '', {
					token: 'x'.repeat(43)
				});
				statuses.push(answer.status);
			}
			expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
			expect(statuses.slice(20)).toEqual([429, 429]);
		});

		test('a PDF uploaded through one server is served by the other from the shared blob store', async () => {
			const pdf = await multiPagePdf();
			const form = new FormData();
			form.set('file', new File([Buffer.from(pdf)], 'shared.pdf', { type: 'application/pdf' }));
			form.set(
				'meta',
				JSON.stringify({
					title: 'Shared storage 共享存储',
					signingOrder: 'parallel',
					deadline: null,
					parties: [
						{
							name: 'Load',
							kind: 'organisation',
							signers: [
								{ name: 'Signer', contact: null, userId: world.signers[0]!.user.id, order: 1 }
							]
						}
					]
				})
			);
			const created = await fetch(`${at(A)}/api/admin/contracts`, {
				method: 'POST',
				headers: { cookie: world.adminCookie, origin: ORIGIN },
				body: form
			});
			expect(created.status, await created.clone().text()).toBe(201);
			const { id } = (await created.json()) as { id: string };
			const served = await fetch(`${at(B)}/api/admin/contracts/${id}/document`, {
				headers: { cookie: world.adminCookie, origin: ORIGIN }
			});
			expect(served.status).toBe(200);
			expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
			const s3 = store?.s3;
			if (s3) {
				// It went to the bucket, under its content hash, not to either server's folder.
				const sha = createHash('sha256').update(pdf).digest('hex');
				expect(s3.created.some((key) => key.includes(sha))).toBe(true);
			}
		});
	});
}
