import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { startServer, type RunningServer } from '../../scripts/server-process.mjs';
import { attachWorld, sendTruncated, type ServerWorld } from './support/server-world';
import { inconsistencies } from '../support/consistency';
import { multiPagePdf } from '../support/test-pdfs';
import type { WorldSigner } from '../support/signer-world';

// Faults against the production server process on loopback: SIGKILL in the middle of ingest and
// of a contract upload, and request bodies cut in transit. Each ends the same way: a clear
// error, nothing lost, nothing half-written (the data folder checked directly after restart),
// and the retry succeeds. No browser: Node plays many devices over the real HTTP API.

let dataDir: string;
let server: RunningServer;
let world: ServerWorld;

test.beforeEach(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'sealpass-faults-'));
	server = await startServer({ DATA_DIR: dataDir, SEED_DEMO: '0' });
});

test.afterEach(async () => {
	await world?.close();
	await server?.stop();
	rmSync(dataDir, { recursive: true, force: true });
});

/** The same data folder and port: devices' passkey assertions name the server's origin. */
const restart = () =>
	startServer({ DATA_DIR: dataDir, SEED_DEMO: '0', PORT: new URL(server.url).port });

/** Each signer's bodies, confirmed offline in order (a credential's counter only goes up). */
async function confirmAll(url: string) {
	const bodies = new Map<WorldSigner, Awaited<ReturnType<ServerWorld['body']>>[]>();
	for (const signer of world.signers) {
		const tickets = await world.tickets(url, signer);
		const list = [];
		for (const [i, envelopeId] of signer.envelopeIds.entries()) {
			list.push(await world.body(signer, envelopeId, tickets[i]!));
		}
		bodies.set(signer, list);
	}
	return bodies;
}

/** What a device's sync does: its items one after another, in the order they were confirmed. */
async function syncInOrder(url: string, signer: WorldSigner, bodies: unknown[]) {
	const statuses: number[] = [];
	for (const body of bodies) {
		const answer = await world
			.call(url, 'POST', '/api/submissions', world.cookieOf.get(signer)!, body)
			.catch(() => ({ status: 0, body: {} }));
		statuses.push(answer.status);
		if (answer.status === 0) break; // the server is gone: the device stops and retries later
	}
	return statuses;
}

test('SIGKILL in the middle of ingest: after restart the database and blob store are consistent, and retrying every item accepts each manifest exactly once', async () => {
	test.setTimeout(120_000);
	world = await attachWorld(server, { count: 6, contracts: 8 });
	const bodies = await confirmAll(server.url);

	// Six devices sync at once; the server is killed once a few answers came back.
	let answered = 0;
	const killed = new Promise<void>((resolve) => {
		const check = setInterval(() => {
			if (answered >= 5) {
				clearInterval(check);
				void server.kill().then(resolve);
			}
		}, 1);
	});
	const firstRun = world.signers.map(async (signer) => {
		for (const body of bodies.get(signer)!) {
			const answer = await world
				.call(server.url, 'POST', '/api/submissions', world.cookieOf.get(signer)!, body)
				.catch(() => null);
			if (!answer) return;
			answered++;
		}
	});
	await killed;
	await Promise.all(firstRun);
	const total = world.signers.length * 8;
	const acceptedBeforeKill = await world.count('submissions');
	expect(acceptedBeforeKill).toBeLessThan(total);

	server = await restart();
	expect(await inconsistencies(world.dbPath, world.blobDir)).toEqual([]);

	// Every device sends its whole outbox again: answers already committed come from the
	// idempotency store, the rest are accepted now.
	const retries = await Promise.all(
		world.signers.map((signer) => syncInOrder(server.url, signer, bodies.get(signer)!))
	);
	expect(retries.flat(), JSON.stringify(retries)).toEqual(new Array(total).fill(201));
	expect(await world.count('submissions')).toBe(total);
	const perEnvelope = await world.open.db
		.selectFrom('submissions')
		.select((eb) => ['envelope_id', eb.fn.countAll().as('n')])
		.groupBy('envelope_id')
		.execute();
	expect(perEnvelope.every((row) => Number(row.n) === 1)).toBe(true);
	expect(await inconsistencies(world.dbPath, world.blobDir)).toEqual([]);
});

/** The multipart body of a contract upload, as the admin page sends it. */
async function uploadForm(title: string) {
	const form = new FormData();
	form.set(
		'file',
		new Blob([(await multiPagePdf()) as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }),
		'c.pdf'
	);
	form.set(
		'meta',
		JSON.stringify({
			title,
			signingOrder: 'parallel',
			deadline: null,
			parties: [
				{
					name: '甲方',
					kind: 'organisation',
					signers: [{ name: 'Signer', contact: null, userId: 'world-signer-0', order: 1 }]
				}
			]
		})
	);
	const request = new Request('http://x/', { method: 'POST', body: form });
	return {
		bytes: new Uint8Array(await request.arrayBuffer()),
		contentType: request.headers.get('content-type')!
	};
}

const contractsTitled = async (title: string) =>
	Number(
		(
			await world.open.db
				.selectFrom('envelopes')
				.select((eb) => eb.fn.countAll().as('n'))
				.where('title', '=', title)
				.executeTakeFirstOrThrow()
		).n
	);

test('SIGKILL in the middle of a contract upload: after restart nothing of it is stored, the data folder is consistent, and the upload repeated succeeds once', async () => {
	test.setTimeout(120_000);
	world = await attachWorld(server, { count: 1, contracts: 0 });
	const title = 'Killed upload 中断的上传';
	const { bytes, contentType } = await uploadForm(title);
	const headers = { cookie: world.adminCookie, origin: server.url, 'content-type': contentType };

	// Half of the body is on the wire when the server dies.
	const cut = sendTruncated(
		server.url,
		'/api/admin/contracts',
		headers,
		bytes.slice(0, bytes.length >> 1),
		bytes.length,
		false
	);
	// Once the server answers a later request it has read what came before on loopback: the
	// kill lands while the upload is in its hands, half received.
	expect((await fetch(server.url + '/api/health')).status).toBe(200);
	await server.kill();
	expect((await cut).status).toBe(0);

	server = await restart();
	headers.origin = server.url;
	expect(await contractsTitled(title)).toBe(0);
	expect(await inconsistencies(world.dbPath, world.blobDir)).toEqual([]);

	const blobsBefore = await world.count('blobs');
	const response = await fetch(server.url + '/api/admin/contracts', {
		method: 'POST',
		headers,
		body: bytes
	});
	expect(response.status, await response.clone().text()).toBe(201);
	expect(await contractsTitled(title)).toBe(1);
	expect(await world.count('blobs')).toBe(blobsBefore + 1);
	expect(await inconsistencies(world.dbPath, world.blobDir)).toEqual([]);
});

test('a manifest or multipart body cut in transit gets a clear 400 BAD_REQUEST and nothing is stored', async () => {
	test.setTimeout(90_000);
	world = await attachWorld(server, { count: 1, contracts: 1 });
	const signer = world.signers[0]!;
	const [ticket] = await world.tickets(server.url, signer);
	const body = new TextEncoder().encode(
		JSON.stringify(await world.body(signer, signer.envelopeIds[0]!, ticket!))
	);
	const jsonHeaders = {
		cookie: world.cookieOf.get(signer)!,
		origin: server.url,
		'content-type': 'application/json'
	};
	const { bytes, contentType } = await uploadForm('Cut upload');
	const formHeaders = {
		cookie: world.adminCookie,
		origin: server.url,
		'content-type': contentType
	};
	const before = {
		submissions: await world.count('submissions'),
		events: await world.count('submission_events'),
		envelopes: await world.count('envelopes'),
		blobs: await world.count('blobs')
	};

	const cases = {
		// The connection drops: fewer bytes than Content-Length, then the end of the stream.
		'manifest, connection dropped': await sendTruncated(
			server.url,
			'/api/submissions',
			jsonHeaders,
			body.slice(0, body.length >> 1),
			body.length
		),
		// A proxy forwarded a cut body with a matching length (JSON that ends mid-object, a
		// multipart body without its closing boundary) and waits for the answer.
		'manifest, cut JSON': await sendTruncated(
			server.url,
			'/api/submissions',
			jsonHeaders,
			body.slice(0, body.length >> 1),
			body.length >> 1,
			false
		),
		'multipart, connection dropped': await sendTruncated(
			server.url,
			'/api/admin/contracts',
			formHeaders,
			bytes.slice(0, bytes.length >> 1),
			bytes.length
		),
		'multipart, cut body': await sendTruncated(
			server.url,
			'/api/admin/contracts',
			formHeaders,
			bytes.slice(0, bytes.length >> 1),
			bytes.length >> 1,
			false
		),
		// Not a cut: a body announced past the upload limit still reads as too large.
		'multipart, over the limit': await sendTruncated(
			server.url,
			'/api/admin/contracts',
			formHeaders,
			bytes.slice(0, 1000),
			60 * 1024 * 1024,
			false
		)
	};
	const codes = Object.fromEntries(
		Object.entries(cases).map(([name, answer]) => [
			name,
			`${answer.status} ${(answer.body.error as { code?: string } | undefined)?.code ?? JSON.stringify(answer.body)}`
		])
	);
	expect(codes).toEqual({
		'manifest, connection dropped': '400 BAD_REQUEST',
		'manifest, cut JSON': '400 BAD_REQUEST',
		'multipart, connection dropped': '400 BAD_REQUEST',
		'multipart, cut body': '400 BAD_REQUEST',
		'multipart, over the limit': '413 PDF_TOO_LARGE'
	});
	expect({
		submissions: await world.count('submissions'),
		events: await world.count('submission_events'),
		envelopes: await world.count('envelopes'),
		blobs: await world.count('blobs')
	}).toEqual(before);
	expect(await inconsistencies(world.dbPath, world.blobDir)).toEqual([]);

	// The whole body, sent again, is accepted.
	const whole = await world.call(
		server.url,
		'POST',
		'/api/submissions',
		jsonHeaders.cookie,
		JSON.parse(new TextDecoder().decode(body))
	);
	expect(whole.status).toBe(201);
});
