import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { migrateToBefore, migrateToLatest, migrationNames, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { ingestSubmission, type IngestDeps } from '../sync';
import { listOrgSeals } from './admin-seals';
import { decideSubmission } from '../review';
import { listSealUses, parseSealUsesQuery, sealUsageCounts, sealUsesQuery } from './seal-uses';
import { manifestChallenge } from '$lib/domain/canonical';
import { placeOf, sampleManifest } from '$lib/domain/fixtures';
import type { Manifest } from '$lib/domain/manifest';
import type { SealUsesResponse, SubmissionAccepted } from '$lib/domain/api-types';
import { type FakeAuthenticator } from '../../../../tests/support/fake-authenticator';
import { insertSeal } from '../../../../tests/support/seals';
import { testEngine } from '../../../../tests/support/test-db';
import {
	DOC_HASH,
	grantSeal,
	insertContract,
	insertDocBlob,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	testImages,
	firstTicket,
	addPasskey,
	type TestServer
} from '../../../../tests/support/test-server';

// Seal usage (SPEC SA7, SA8) on a real SQLite file, written by the real ingest with real WebAuthn
// verification (a software P-256 passkey), read back by the seal list and the usage history.

const CONTRACT_SEAL = 'seal-contract';
const FINANCE_SEAL = 'seal-finance';

let server: TestServer;
let open: OpenDatabase;
const now = () => server.now();
let deps: IngestDeps;
let admin: User;
let alice: User;
let bob: User;
let aliceKey: FakeAuthenticator;
let bobKey: FakeAuthenticator;
let images: Record<string, string>;
let sig: string;
let seal: string;

/** A sent contract of `org` with alice and bob as its signers (sampleEnvelope's layout). */
async function addEnvelope(id: string, title: string, org = 'org'): Promise<void> {
	await insertContract(open.db, {
		id,
		title,
		org,
		at: now().toISOString(),
		signers: { alice: alice.id, bob: bob.id }
	});
}

async function addSeal(id: string, org: string, createdBy: string): Promise<void> {
	await insertSeal(open.db, { id, orgId: org, createdBy, image: seal, at: now().toISOString() });
}

beforeEach(async () => {
	server = await openTestServer('seal-uses');
	({ open, deps } = server);
	({ sig, seal, images } = await testImages());

	const at = now().toISOString();
	const db = open.db;
	await insertOrgs(db, at, [{ id: 'org' }, { id: 'org-other', name: '他方', nameEn: 'Other' }]);
	[admin, alice, bob] = (await insertUsers(db, at, [
		{ id: 'user-admin', role: 'admin', displayName: '管理员' },
		{ id: 'user-alice', displayName: '张三' },
		{ id: 'user-bob', displayName: '李四' },
		{ id: 'user-other', org: 'org-other', role: 'admin', displayName: 'Eve' }
	])) as [User, User, User, User];
	aliceKey = await addPasskey(db, alice.id, at);
	bobKey = await addPasskey(db, bob.id, at);
	await insertDocBlob(db, at);
	await addSeal(CONTRACT_SEAL, 'org', admin.id);
	await addSeal(FINANCE_SEAL, 'org', admin.id);
	await addSeal('seal-other', 'org-other', 'user-other');
	for (const sealId of [CONTRACT_SEAL, FINANCE_SEAL]) {
		await grantSeal(db, { id: `auth-${sealId}`, sealId, userId: alice.id, at });
	}
	await addEnvelope('env-1', '采购合同');
});

afterEach(async () => {
	await server.close();
});

const ticketFor = (user: User, key: FakeAuthenticator) => firstTicket(server, user, key);

/** Alice signs `envelopeId`: the contract seal in its field and on page 2, the finance seal across. */
async function aliceStamps(envelopeId = 'env-1', overrides: Partial<Manifest> = {}) {
	const ticket = await ticketFor(alice, aliceKey);
	return sampleManifest({
		envelopeId,
		docHash: DOC_HASH,
		credentialId: aliceKey.credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		deviceTime: new Date(now().getTime() - 60 * 60_000).toISOString(),
		fills: [
			{ ...placeOf('f-sig-a'), kind: 'signature', image: sig },
			{
				...placeOf('f-seal-a'),
				kind: 'seal',
				sealId: CONTRACT_SEAL,
				image: seal,
				sizeMm: { width: 42, height: 42 }
			}
		],
		seals: [
			{
				sealId: CONTRACT_SEAL,
				image: seal,
				page: 2,
				centre: { x: 300, y: 400 },
				sizeMm: { width: 42, height: 42 }
			}
		],
		ridingSeams: [
			{
				sealId: FINANCE_SEAL,
				image: seal,
				pages: 'all',
				edge: 'right',
				position: 0.5,
				sizeMm: { width: 42, height: 42 },
				fieldId: 'f-seam-a'
			}
		],
		...overrides
	});
}

async function submit(
	user: User,
	key: FakeAuthenticator,
	manifest: Manifest,
	idempotencyKey = `key-${crypto.randomUUID()}`
) {
	const assertion = await key.assert({
		challenge: await manifestChallenge(manifest),
		origin: ORIGIN,
		rpId: RP_ID
	});
	return ingestSubmission(deps, user, { idempotencyKey, manifest, assertion, images });
}

async function submitted(user: User, key: FakeAuthenticator, manifest: Manifest) {
	const answer = await submit(user, key, manifest);
	if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
	return (answer.body as SubmissionAccepted).submissionId;
}

async function useRows() {
	return open.db
		.selectFrom('seal_uses')
		.selectAll()
		.orderBy('submission_id')
		.orderBy('seal_id')
		.execute();
}

async function page(sealId: string, query: string, org = 'org'): Promise<SealUsesResponse> {
	const parsed = parseSealUsesQuery(new URLSearchParams(query));
	if (!parsed) throw new Error(`bad query ${query}`);
	const result = await listSealUses(open.db, org, sealId, parsed);
	if (typeof result === 'string') throw new Error(result);
	return result;
}

describe('ingest records seal uses (SA7)', () => {
	it('SA7: one row per seal the stored manifest stamps with, marks in manifest order, in the submission transaction', async () => {
		const submissionId = await submitted(alice, aliceKey, await aliceStamps());
		const receivedAt = now().toISOString();
		expect(await useRows()).toEqual([
			{
				submission_id: submissionId,
				seal_id: CONTRACT_SEAL,
				envelope_id: 'env-1',
				received_at: receivedAt,
				marks: JSON.stringify([
					{ kind: 'seal-field', pages: [3] },
					{ kind: 'free-seal', pages: [2] }
				])
			},
			{
				submission_id: submissionId,
				seal_id: FINANCE_SEAL,
				envelope_id: 'env-1',
				received_at: receivedAt,
				marks: JSON.stringify([{ kind: 'riding-seam', pages: 'all' }])
			}
		]);
	});

	it('SA7: an idempotent retry under the same key writes no row twice', async () => {
		const manifest = await aliceStamps();
		const assertion = await aliceKey.assert({
			challenge: await manifestChallenge(manifest),
			origin: ORIGIN,
			rpId: RP_ID
		});
		const body = { idempotencyKey: 'device-key-usage', manifest, assertion, images };
		const first = await ingestSubmission(deps, alice, body);
		expect(first.status).toBe(201);
		server.setNow(new Date(now().getTime() + 60_000));
		const retry = await ingestSubmission(deps, alice, { ...body, images: {} });
		expect(retry).toEqual(first);
		const rows = await useRows();
		expect(rows).toHaveLength(2);
		expect(new Set(rows.map((r) => r.submission_id))).toEqual(
			new Set([(first.body as SubmissionAccepted).submissionId])
		);
		expect((await sealUsageCounts(open.db, 'org')).get(CONTRACT_SEAL)).toBe(1);
	});

	it('SA7: a 退回 and a refused attempt draw nothing and write no row', async () => {
		const rejected = await aliceStamps('env-1', {
			decision: { kind: 'rejected', reason: '金额有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		expect((await submit(alice, aliceKey, rejected)).status).toBe(201);
		// Bob holds no authorisation: his stamp is refused, and nothing of it is recorded.
		await addEnvelope('env-2', '服务合同');
		const t = await ticketFor(bob, bobKey);
		const refused = await aliceStamps('env-2', {
			signerId: 'alice',
			credentialId: bobKey.credentialId,
			ticket: { id: t.id, nonce: t.nonce }
		});
		const answer = await submit(bob, bobKey, refused);
		expect(answer.status).toBeGreaterThanOrEqual(400);
		expect(await useRows()).toEqual([]);
		expect(await sealUsageCounts(open.db, 'org')).toEqual(new Map());
	});
});

describe('the usage count (SA4, SA7)', () => {
	it('SA7: the count survives the review decisions: flagged and reviewed-ok submissions still count', async () => {
		const first = await submitted(alice, aliceKey, await aliceStamps());
		await addEnvelope('env-2', '服务合同');
		server.setNow(new Date(now().getTime() + 60_000));
		const second = await submitted(alice, aliceKey, await aliceStamps('env-2', { seals: [] }));
		const counts = async () =>
			Object.fromEntries(
				(await listOrgSeals(open.db, 'org')).map((s) => [s.id, s.usageCount] as const)
			);
		expect(await counts()).toEqual({ [CONTRACT_SEAL]: 2, [FINANCE_SEAL]: 2 });

		const flag = await decideSubmission(open.db, deps.clock, admin, first, {
			decision: 'flagged',
			comment: '印章模糊'
		});
		expect(flag).toMatchObject({ ok: true, status: 'flagged' });
		const ok = await decideSubmission(open.db, deps.clock, admin, second, {
			decision: 'ok',
			comment: '核对无误'
		});
		expect(ok).toMatchObject({ ok: true, status: 'reviewed-ok' });
		expect(await counts()).toEqual({ [CONTRACT_SEAL]: 2, [FINANCE_SEAL]: 2 });

		// The history shows each use with its current review status.
		const history = await page(CONTRACT_SEAL, '');
		expect(history.uses.map((u) => [u.submissionId, u.status])).toEqual([
			[second, 'reviewed-ok'],
			[first, 'flagged']
		]);
	});

	it('SA7: another organisation counts only its own seals and sees none of ours', async () => {
		await submitted(alice, aliceKey, await aliceStamps());
		expect(await sealUsageCounts(open.db, 'org-other')).toEqual(new Map());
		const theirs = await listOrgSeals(open.db, 'org-other');
		expect(theirs.map((s) => [s.id, s.usageCount])).toEqual([['seal-other', 0]]);
	});
});

describe('the usage history (SA8)', () => {
	it('SA8: each use names the contract, signer, marks, device and receipt times and review status', async () => {
		const id = await submitted(alice, aliceKey, await aliceStamps());
		const result = await page(CONTRACT_SEAL, '');
		expect(result).toEqual({
			uses: [
				{
					submissionId: id,
					contract: { id: 'env-1', title: '采购合同' },
					signerName: '张三',
					marks: [
						{ kind: 'seal-field', pages: [3] },
						{ kind: 'free-seal', pages: [2] }
					],
					deviceTime: '2026-03-01T07:00:00.000Z',
					receivedAt: '2026-03-01T08:00:00.000Z',
					status: 'accepted'
				}
			],
			nextCursor: null
		});
		expect(await page(FINANCE_SEAL, '')).toMatchObject({
			uses: [{ submissionId: id, marks: [{ kind: 'riding-seam', pages: 'all' }] }]
		});
	});

	it('SA8: pages newest first by keyset, ties by submission id, never skipping or repeating a use', async () => {
		const ids: string[] = [];
		for (let i = 1; i <= 5; i++) {
			await addEnvelope(`env-p${i}`, `合同 ${i}`);
			// Uses 3 and 4 arrive at the same instant: the submission id breaks the tie.
			if (i !== 4) server.setNow(new Date(now().getTime() + 60_000));
			ids.push(await submitted(alice, aliceKey, await aliceStamps(`env-p${i}`)));
		}
		const tied = [ids[2]!, ids[3]!].sort().reverse();
		const expected = [ids[4]!, ...tied, ids[1]!, ids[0]!];

		const seen: string[] = [];
		let query = 'limit=2';
		const sizes: number[] = [];
		for (;;) {
			const result = await page(CONTRACT_SEAL, query);
			sizes.push(result.uses.length);
			seen.push(...result.uses.map((u) => u.submissionId));
			if (!result.nextCursor) break;
			query = `limit=2&cursor=${result.nextCursor}`;
		}
		expect(sizes).toEqual([2, 2, 1]);
		expect(seen).toEqual(expected);

		// A use that arrives while the admin pages does not shift the pages after the first.
		const firstPage = await page(CONTRACT_SEAL, 'limit=2');
		await addEnvelope('env-late', '新合同');
		server.setNow(new Date(now().getTime() + 60_000));
		const late = await submitted(alice, aliceKey, await aliceStamps('env-late'));
		const secondPage = await page(CONTRACT_SEAL, `limit=2&cursor=${firstPage.nextCursor}`);
		expect(secondPage.uses.map((u) => u.submissionId)).toEqual(expected.slice(2, 4));
		expect((await page(CONTRACT_SEAL, 'limit=1')).uses[0]!.submissionId).toBe(late);
	});

	it('SA8: an unknown cursor, a bad limit and another organisation’s seal are refused', async () => {
		await submitted(alice, aliceKey, await aliceStamps());
		expect(parseSealUsesQuery(new URLSearchParams('limit=0'))).toBeNull();
		expect(parseSealUsesQuery(new URLSearchParams('limit=101'))).toBeNull();
		expect(parseSealUsesQuery(new URLSearchParams('limit=abc'))).toBeNull();
		expect(await listSealUses(open.db, 'org', CONTRACT_SEAL, { cursor: 'not-ours' })).toBe(
			'bad-cursor'
		);
		expect(await listSealUses(open.db, 'org-other', CONTRACT_SEAL, {})).toBe('not-found');
		expect(await listSealUses(open.db, 'org', 'seal-other', {})).toBe('not-found');
		expect(await listSealUses(open.db, 'org', 'no-such-seal', {})).toBe('not-found');
		expect(await page('seal-other', '', 'org-other')).toEqual({ uses: [], nextCursor: null });
	});

	// SQLite's planner and its EXPLAIN QUERY PLAN text; PostgreSQL plans by its statistics, which a
	// handful of test rows do not make index-worthy.
	it.skipIf(testEngine === 'postgres')(
		'SA8: a page is read off the seal index in order, with no sort and no scan (EXPLAIN QUERY PLAN)',
		async () => {
			await submitted(alice, aliceKey, await aliceStamps());
			const cursor = { receivedAt: now().toISOString(), id: 'x' };
			for (const at of [null, cursor]) {
				const compiled = sealUsesQuery(open.db, CONTRACT_SEAL, at, 20).compile();
				const result = await open.db.executeQuery<{ detail: string }>(
					CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters])
				);
				const steps = result.rows.map((r) => r.detail);
				const label = JSON.stringify(steps);
				expect(
					steps.some((s) => /^SEARCH su USING (COVERING )?INDEX seal_uses_seal/.test(s)),
					label
				).toBe(true);
				expect(
					steps.filter((s) => /^SCAN |TEMP B-TREE/.test(s)),
					label
				).toEqual([]);
				// A later page starts at the cursor in the index, not at the newest use.
				if (at) expect(steps.join(' '), label).toMatch(/\(received_at,submission_id\)<\(\?,\?\)/);
			}
		}
	);
});

/** Every migration from 0010 on, by name: what migrating up from 0009 runs (later ones too). */
const FROM_0010 = (await migrationNames()).filter((name) => name >= '0010');

/** Takes the database back to how it stood before 0010, through the real migrator. */
async function migrateBackTo0009(): Promise<void> {
	await migrateToBefore(open, '0010');
	expect(await tableNames()).not.toContain('seal_uses');
}

async function tableNames(): Promise<string[]> {
	return (await open.db.introspection.getTables()).map((t) => t.name);
}

describe('migration 0010 (SA7)', () => {
	it('SA7: backfills the uses of submissions stored before it, exactly as ingest records them', async () => {
		await addEnvelope('env-2', '服务合同');
		await submitted(alice, aliceKey, await aliceStamps());
		server.setNow(new Date(now().getTime() + 60_000));
		await submitted(alice, aliceKey, await aliceStamps('env-2', { seals: [], ridingSeams: [] }));
		// Bob's signature stamps nothing: a stored submission with no use.
		const bobTicket = await ticketFor(bob, bobKey);
		await submitted(
			bob,
			bobKey,
			sampleManifest({
				envelopeId: 'env-1',
				docHash: DOC_HASH,
				signerId: 'bob',
				credentialId: bobKey.credentialId,
				ticket: { id: bobTicket.id, nonce: bobTicket.nonce },
				fills: [{ ...placeOf('f-sig-b'), kind: 'signature', image: sig }],
				seals: [],
				ridingSeams: []
			})
		);
		const recorded = await useRows();
		expect(recorded).toHaveLength(3);

		await migrateBackTo0009();
		expect(await migrateToLatest(open)).toEqual(FROM_0010);
		expect(await useRows()).toEqual(recorded);
		expect(await sealUsageCounts(open.db, 'org')).toEqual(
			new Map([
				[CONTRACT_SEAL, 2],
				[FINANCE_SEAL, 1]
			])
		);
	});

	it('SA7: a backfill that fails half-way leaves no table behind, so the next start runs it again', async () => {
		await addEnvelope('env-2', '服务合同');
		const first = await submitted(alice, aliceKey, await aliceStamps());
		server.setNow(new Date(now().getTime() + 60_000));
		const second = await submitted(alice, aliceKey, await aliceStamps('env-2'));
		const recorded = await useRows();
		await migrateBackTo0009();
		// The later submission (in id order) cannot be read: the first one is already backfilled.
		const [, broken] = [first, second].sort();
		const original = await open.db
			.selectFrom('submissions')
			.select('manifest_json')
			.where('id', '=', broken!)
			.executeTakeFirstOrThrow();
		await open.db
			.updateTable('submissions')
			.set({ manifest_json: '{not json' })
			.where('id', '=', broken!)
			.execute();
		await expect(migrateToLatest(open)).rejects.toThrow(/0010-seal-usage/);
		expect(await tableNames()).not.toContain('seal_uses');

		await open.db
			.updateTable('submissions')
			.set({ manifest_json: original.manifest_json })
			.where('id', '=', broken!)
			.execute();
		expect(await migrateToLatest(open)).toEqual(FROM_0010);
		expect(await useRows()).toEqual(recorded);
	});
});
