import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test, expect } from '@playwright/test';
import { startServer, type RunningServer } from '../../scripts/server-process.mjs';
import { attachWorld, type ServerWorld } from './support/server-world';
import { createSession } from '../../src/lib/server/auth/sessions';
import { textPdf } from '../support/pdfs';
import { storeBlob } from '../../src/lib/server/platform/blob-store';
import { FolderBlobStore } from '../../src/lib/server/platform/blob-folder';
import { definitionJson } from '../../src/lib/server/contracts/envelopes';
import { worldEnvelope } from '../support/signer-world';
import { insertUsers } from '../support/test-server';

// Two organisations on one production server, over HTTP (SPEC A9, MB2 and every id route):
// the demo organisation's administrator and one of its signers ask for the other organisation's
// contracts, submissions, seals, members, passkeys and images by id, and read every list. Each
// id request must be refused as unknown (404) or forbidden (403) and change nothing; no list may
// name anything of the other organisation. The other organisation's own admin and signer get the
// same requests answered, so a wrong id cannot make the refusals pass. Every API route with an id
// in its path must have a case here: a new one fails the coverage test until it is added.

let dataDir: string;
let server: RunningServer;
let world: ServerWorld;
/** The demo organisation: the one asking for what is not theirs. */
let adminA: string;
let signerA: string;
/** The other organisation's ids. */
let ids: { contract: string; submission: string; seal: string; member: string; passkey: string };
let imageHash: string;

test.beforeAll(async () => {
	test.setTimeout(180_000);
	dataDir = mkdtempSync(join(tmpdir(), 'sealpass-tenancy-'));
	server = await startServer({ DATA_DIR: dataDir });
	world = await attachWorld(server, { count: 1, contracts: 2 });
	const demoAdmin = await world.open.db
		.selectFrom('users')
		.select(['id', 'org_id'])
		.where('role', '=', 'admin')
		.where('org_id', '!=', 'org-world')
		.executeTakeFirstOrThrow();
	await insertUsers(world.open.db, new Date().toISOString(), [
		{ id: 'demo-signer', org: demoAdmin.org_id, displayName: 'Demo signer' }
	]);
	const clock = () => new Date();
	adminA = `sp_session=${(await createSession(world.open.db, demoAdmin.id, clock)).token}`;
	signerA = `sp_session=${(await createSession(world.open.db, 'demo-signer', clock)).token}`;

	// The other organisation signs one contract and makes a seal, through its own API.
	const [signer] = world.signers;
	const tickets = await world.tickets(server.url, signer!);
	const submitted = await world.call(
		server.url,
		'POST',
		'/api/submissions',
		world.cookieOf.get(signer!)!,
		await world.body(signer!, signer!.envelopeIds[0]!, tickets[0]!)
	);
	expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
	const seal = await world.call(server.url, 'POST', '/api/admin/seals', world.adminCookie, {
		name: '负载合同专用章',
		spec: { shape: 'round', orgName: '负载公司' }
	});
	expect(seal.status, JSON.stringify(seal.body)).toBeLessThan(300);
	// The world's contracts name a document whose bytes were never written; the contract asked
	// for here gets a real one, so its owner's downloads answer and the refusals mean scope.
	const contractId = signer!.envelopeIds[1]!;
	const pdf = await textPdf(3);
	const docHash = await storeBlob(
		world.open.db,
		new FolderBlobStore(world.blobDir, 1 << 24),
		pdf,
		'application/pdf',
		new Date().toISOString()
	);
	await world.open.db
		.updateTable('envelopes')
		.set({
			doc_sha256: docHash,
			page_count: 3,
			definition: definitionJson({ ...worldEnvelope(contractId), docHash })
		})
		.where('id', '=', contractId)
		.execute();
	// An organisation-certification application of the other organisation, its licence the same PDF.
	await world.open.db
		.insertInto('org_cert_applications')
		.values({
			id: 'cert-world',
			org_id: 'org-world',
			state: 'pending',
			org_type: 'enterprise',
			name: '负载科技有限公司',
			id_number: '91350100M000100Y43',
			representative: '张三',
			uscc_verdict: 'valid',
			licence_hash: docHash,
			licence_type: 'application/pdf',
			privacy_version: '1',
			privacy_agreed_at: new Date().toISOString(),
			applicant_id: 'world-admin',
			created_at: new Date().toISOString()
		})
		.execute();
	ids = {
		contract: contractId,
		submission: String(submitted.body.submissionId),
		seal: String(seal.body.id),
		member: signer!.user.id,
		passkey: signer!.key.credentialId
	};
	imageHash = Object.keys(world.images)[0]!;
});

test.afterAll(async () => {
	await world?.close();
	await server?.stop();
	rmSync(dataDir, { recursive: true, force: true });
});

interface IdCase {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	path: () => string;
	body?: () => unknown;
	/** Raw bytes instead of JSON (a PDF upload). */
	raw?: () => Promise<Uint8Array>;
	as: 'admin' | 'signer';
}

const contract =
	(suffix = '') =>
	() =>
		`/api/admin/contracts/${ids.contract}${suffix}`;
const envelope =
	(suffix = '') =>
	() =>
		`/api/envelopes/${ids.contract}${suffix}`;

/** Every API route with an id in its path, and the requests that must not cross organisations. */
const ID_ROUTES: Record<string, IdCase[]> = {
	'admin/blobs/[hash]': [
		{ method: 'GET', path: () => `/api/admin/blobs/${imageHash}`, as: 'admin' }
	],
	'admin/certification/[id]/[file]': [
		{ method: 'GET', path: () => '/api/admin/certification/cert-world/licence', as: 'admin' }
	],
	'admin/contracts/[id]': [{ method: 'GET', path: contract(), as: 'admin' }],
	'admin/contracts/[id]/deadline': [
		{
			method: 'PUT',
			path: contract('/deadline'),
			body: () => ({ deadline: '2031-01-01' }),
			as: 'admin'
		}
	],
	'admin/contracts/[id]/document': [
		{ method: 'GET', path: contract('/document'), as: 'admin' },
		{ method: 'PUT', path: contract('/document'), raw: () => textPdf(1), as: 'admin' }
	],
	'admin/contracts/[id]/fields': [
		{ method: 'PUT', path: contract('/fields'), body: () => ({ fields: [] }), as: 'admin' }
	],
	'admin/contracts/[id]/rendered': [{ method: 'GET', path: contract('/rendered'), as: 'admin' }],
	'admin/contracts/[id]/resend': [{ method: 'POST', path: contract('/resend'), as: 'admin' }],
	'admin/contracts/[id]/revoke': [
		{ method: 'POST', path: contract('/revoke'), body: () => ({ reason: '越权' }), as: 'admin' }
	],
	'admin/contracts/[id]/send': [{ method: 'POST', path: contract('/send'), as: 'admin' }],
	'admin/members/[id]': [
		{
			method: 'PATCH',
			path: () => `/api/admin/members/${ids.member}`,
			body: () => ({ kind: 'deactivate' }),
			as: 'admin'
		}
	],
	'admin/members/[id]/recovery': [
		{
			method: 'POST',
			path: () => `/api/admin/members/${ids.member}/recovery`,
			body: () => ({ keepPasskeys: false }),
			as: 'admin'
		}
	],
	'admin/seals/[id]': [
		{
			method: 'PUT',
			path: () => `/api/admin/seals/${ids.seal}`,
			body: () => ({ name: '越权章', spec: { shape: 'round', orgName: '越权' } }),
			as: 'admin'
		},
		{
			method: 'PATCH',
			path: () => `/api/admin/seals/${ids.seal}`,
			body: () => ({ status: 'disabled' }),
			as: 'admin'
		}
	],
	'admin/seals/[id]/authorisations/[userId]': [
		{
			method: 'PUT',
			path: () => `/api/admin/seals/${ids.seal}/authorisations/${ids.member}`,
			as: 'admin'
		},
		{
			method: 'DELETE',
			path: () => `/api/admin/seals/${ids.seal}/authorisations/${ids.member}`,
			as: 'admin'
		}
	],
	'admin/seals/[id]/uses': [
		{ method: 'GET', path: () => `/api/admin/seals/${ids.seal}/uses`, as: 'admin' }
	],
	'admin/submissions/[id]': [
		{ method: 'GET', path: () => `/api/admin/submissions/${ids.submission}`, as: 'admin' }
	],
	'admin/submissions/[id]/review': [
		{
			method: 'POST',
			path: () => `/api/admin/submissions/${ids.submission}/review`,
			body: () => ({ decision: 'flagged', comment: '越权' }),
			as: 'admin'
		}
	],
	'admin/submissions/[id]/verify': [
		{ method: 'POST', path: () => `/api/admin/submissions/${ids.submission}/verify`, as: 'admin' }
	],
	'blobs/[hash]': [
		{ method: 'GET', path: () => `/api/blobs/${imageHash}`, as: 'signer' },
		{ method: 'GET', path: () => `/api/blobs/${imageHash}`, as: 'admin' }
	],
	'envelopes/[id]': [
		{ method: 'GET', path: envelope(), as: 'signer' },
		{ method: 'GET', path: envelope(), as: 'admin' }
	],
	'envelopes/[id]/document': [{ method: 'GET', path: envelope('/document'), as: 'signer' }],
	'envelopes/[id]/evidence': [{ method: 'GET', path: envelope('/evidence'), as: 'signer' }],
	'envelopes/[id]/final': [{ method: 'GET', path: envelope('/final'), as: 'signer' }],
	'envelopes/[id]/rendered': [{ method: 'GET', path: envelope('/rendered'), as: 'signer' }],
	'operator/certifications/[id]': [
		{
			method: 'POST',
			path: () => '/api/operator/certifications/cert-world',
			body: () => ({ decision: 'approve' }),
			as: 'admin'
		}
	],
	'passkeys/[id]': [
		{
			method: 'PATCH',
			path: () => `/api/passkeys/${ids.passkey}`,
			body: () => ({ name: '越权' }),
			as: 'signer'
		},
		{ method: 'DELETE', path: () => `/api/passkeys/${ids.passkey}`, as: 'signer' },
		{ method: 'DELETE', path: () => `/api/passkeys/${ids.passkey}`, as: 'admin' }
	]
};

/** Lists an organisation's people may read, each of which must name nothing of the other's. */
const LISTS: { path: string; as: 'admin' | 'signer' }[] = [
	{ path: '/api/admin/contracts', as: 'admin' },
	{ path: '/api/admin/submissions', as: 'admin' },
	{ path: '/api/admin/submissions/facets', as: 'admin' },
	{ path: '/api/admin/submissions/refusals', as: 'admin' },
	{ path: '/api/admin/seals', as: 'admin' },
	{ path: '/api/admin/members', as: 'admin' },
	{ path: '/api/admin/users', as: 'admin' },
	{ path: '/api/admin/invites', as: 'admin' },
	{ path: '/api/admin/outbox', as: 'admin' },
	{ path: '/api/admin/templates', as: 'admin' },
	{ path: '/api/admin/audit', as: 'admin' },
	{ path: '/api/inbox', as: 'signer' },
	{ path: '/api/me/seals', as: 'signer' },
	{ path: '/api/passkeys', as: 'signer' },
	{ path: '/api/sync/pull', as: 'signer' }
];

/** API route patterns with an id in their path, from the route files themselves. */
function idRoutes(): string[] {
	const root = join(process.cwd(), 'src/routes/api');
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name === '+server.ts') {
				const route = relative(root, dir);
				if (route.includes('[')) found.push(route);
			}
		}
	};
	walk(root);
	return found.sort();
}

async function send(cookie: string, item: IdCase) {
	if (item.raw) {
		const response = await fetch(server.url + item.path(), {
			method: item.method,
			headers: { cookie, origin: server.url, 'content-type': 'application/pdf' },
			body: Buffer.from(await item.raw())
		});
		return { status: response.status, text: await response.text() };
	}
	const answer = await world.call(server.url, item.method, item.path(), cookie, item.body?.());
	return { status: answer.status, text: JSON.stringify(answer.body) };
}

test('every API route with an id in its path has a cross-organisation case here', () => {
	expect(Object.keys(ID_ROUTES).sort()).toEqual(idRoutes());
});

test('the other organisation asks for every id: refused as unknown or forbidden, nothing changes', async () => {
	test.setTimeout(180_000);
	const before = await world.open.db
		.selectFrom('audit_log')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	const snapshot = async () => ({
		envelope: await world.open.db
			.selectFrom('envelopes')
			.selectAll()
			.where('id', '=', ids.contract)
			.executeTakeFirstOrThrow(),
		seal: await world.open.db
			.selectFrom('seals')
			.selectAll()
			.where('id', '=', ids.seal)
			.executeTakeFirstOrThrow(),
		member: await world.open.db
			.selectFrom('users')
			.selectAll()
			.where('id', '=', ids.member)
			.executeTakeFirstOrThrow(),
		passkeys: await world.open.db
			.selectFrom('credentials')
			.selectAll()
			.where('user_id', '=', ids.member)
			.execute(),
		reviews: await world.open.db.selectFrom('submission_events').selectAll().execute(),
		application: await world.open.db
			.selectFrom('org_cert_applications')
			.selectAll()
			.where('id', '=', 'cert-world')
			.executeTakeFirstOrThrow()
	});
	const was = await snapshot();
	for (const [route, cases] of Object.entries(ID_ROUTES)) {
		for (const item of cases) {
			const answer = await send(item.as === 'admin' ? adminA : signerA, item);
			expect(
				[403, 404],
				`${item.method} ${route} as the other organisation's ${item.as}: ${answer.text}`
			).toContain(answer.status);
			expect(answer.text, `${route} leaks the contract's title`).not.toContain('Contract 0-1');
		}
	}
	expect(await snapshot()).toEqual(was);
	// Refusals write nothing to the chain either (no download, no change recorded).
	const after = await world.open.db
		.selectFrom('audit_log')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	expect(Number(after.n)).toBe(Number(before.n));
});

test('the owners get the same reads answered, so the ids above are real', async () => {
	const ownSigner = world.cookieOf.get(world.signers[0]!)!;
	for (const [route, cases] of Object.entries(ID_ROUTES)) {
		for (const item of cases.filter((c) => c.method === 'GET')) {
			// The final PDF and its evidence exist only once a contract completes; this one has not.
			if (/final|evidence/.test(route)) continue;
			const answer = await send(item.as === 'admin' ? world.adminCookie : ownSigner, item);
			expect(answer.status, `GET ${route} as its own ${item.as}: ${answer.text}`).toBe(200);
		}
	}
});

test('no list names anything of the other organisation, while its own lists do', async () => {
	const theirs = ['world-', 'Signer 0', '负载', ids.submission, ids.seal, ids.passkey];
	for (const { path, as } of LISTS) {
		const answer = await world.call(server.url, 'GET', path, as === 'admin' ? adminA : signerA);
		expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
		const text = JSON.stringify(answer.body);
		for (const mark of theirs) expect(text, `${path} names ${mark}`).not.toContain(mark);
	}
	const own = await world.call(server.url, 'GET', '/api/admin/contracts', world.adminCookie);
	expect(JSON.stringify(own.body)).toContain(ids.contract);
	const inbox = await world.call(
		server.url,
		'GET',
		'/api/inbox',
		world.cookieOf.get(world.signers[0]!)!
	);
	expect(JSON.stringify(inbox.body)).toContain(ids.contract);
});

test('OC12: the operator’s routes answer no organisation’s administrator or signer, and create nothing', async () => {
	const before = await world.open.db
		.selectFrom('organisations')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	const people = [adminA, signerA, world.adminCookie, world.cookieOf.get(world.signers[0]!)!];
	for (const cookie of people) {
		for (const [method, path, body] of [
			['GET', '/api/operator/organisations', undefined],
			[
				'POST',
				'/api/operator/organisations',
				{ name: '越权公司', adminName: '某人', adminContact: 'x@example.cn' }
			],
			['GET', '/api/operator/certifications', undefined]
		] as const) {
			const answer = await world.call(server.url, method, path, cookie, body);
			expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(403);
			expect(JSON.stringify(answer.body)).not.toContain('负载');
		}
	}
	const after = await world.open.db
		.selectFrom('organisations')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	expect(Number(after.n)).toBe(Number(before.n));
});

test('MO3: no session switches into another organisation’s member, and nothing links them', async () => {
	const own = world.cookieOf.get(world.signers[0]!)!;
	const asks: [string, string][] = [
		[own, 'demo-signer'],
		[adminA, ids.member],
		[signerA, ids.member]
	];
	for (const [cookie, userId] of asks) {
		const answer = await world.call(server.url, 'POST', '/api/session/switch', cookie, { userId });
		expect([403, 404], JSON.stringify(answer.body)).toContain(answer.status);
	}
	const session = (await world.call(server.url, 'GET', '/api/session', own)).body as {
		user: { id: string };
		memberships: { orgId: string }[];
	};
	expect(session.user.id).toBe(ids.member);
	expect(session.memberships.map((m) => m.orgId)).toEqual(['org-world']);
});
