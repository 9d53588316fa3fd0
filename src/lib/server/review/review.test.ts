import { isHttpError } from '@sveltejs/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { join } from 'node:path';
import type { ReviewListResponse, SubmissionAccepted } from '$lib/domain/api-types';
import { signedOffline, normaliseComment } from '$lib/domain/review';
import {
	decideSubmission,
	listReview,
	parseReviewFilter,
	reverifySubmission,
	reviewDetail,
	reviewDetailQuery,
	reviewListQuery,
	type ReviewFilter
} from '.';
import { decodeCursor } from '../platform/keyset';
import { ingestSubmission } from '../sync';
import { manifestChallenge } from '$lib/domain/canonical';
import { discSealPng, sha256Hex } from '../../../../tests/support/images';
import {
	createReviewWorld,
	ORIGIN,
	type ReviewWorld
} from '../../../../tests/support/review-world';
import { openRawConnection, testEngine } from '../../../../tests/support/test-db';

// Real SQLite file, real ingest with a software passkey, real WebAuthn re-verification.

let world: ReviewWorld;

beforeEach(async () => {
	world = await createReviewWorld();
});
afterEach(async () => {
	await world.close();
});

const minutes = (n: number) => n * 60_000;
const list = (filter: Partial<ReviewFilter> = {}, org = 'org') =>
	listReview(world.open.db, org, filter as ReviewFilter);
const accepted = (answer: { status: number; body: unknown }) => {
	expect(answer.status).toBe(201);
	return (answer.body as SubmissionAccepted).submissionId;
};

/** Three real submissions and one refusal, received a minute apart. */
async function signSome() {
	for (const id of ['env-online', 'env-offline', 'env-reject', 'env-refused']) {
		await world.addContract(id, `Contract ${id}`);
	}
	const t0 = world.now().getTime();
	const online = accepted(await world.sign('env-online'));
	world.setNow(new Date(t0 + minutes(1)));
	// Signed two hours before it reached the server: RV1 offline.
	const offline = accepted(
		await world.sign('env-offline', { deviceTime: new Date(t0 - minutes(119)).toISOString() })
	);
	world.setNow(new Date(t0 + minutes(2)));
	const rejected = accepted(await world.sign('env-reject', { reject: '金额有误' }));
	world.setNow(new Date(t0 + minutes(3)));
	// Revoked while the signer was offline: refused after the passkey verified, so it is listed
	// (a refusal before that, such as a forged signature, is only counted).
	await world.open.db
		.updateTable('envelopes')
		.set({ status: 'revoked' })
		.where('id', '=', 'env-refused')
		.execute();
	const refused = await world.sign('env-refused');
	expect(refused.status).toBe(409);
	return { online, offline, rejected };
}

describe('RV1: signed offline', () => {
	it('RV1: more than five minutes between device time and receipt is offline; a clock ahead is online', () => {
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T08:05:00Z')).toBe(false);
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T08:05:00.001Z')).toBe(true);
		expect(signedOffline('2026-03-01T09:00:00Z', '2026-03-01T08:00:00Z')).toBe(false);
		expect(signedOffline('not a time', '2026-03-01T08:00:00Z')).toBe(false);
	});

	it('RV1: a device that reported no network at confirmation is offline whatever the gap', () => {
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T08:00:54Z', true)).toBe(true);
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T08:00:54Z', false)).toBe(false);
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T08:00:54Z', null)).toBe(false);
		// A report of "online" does not hide a manifest that waited on the device for hours.
		expect(signedOffline('2026-03-01T08:00:00Z', '2026-03-01T10:00:00Z', false)).toBe(true);
	});

	it('RV1: the device’s report is stored with the submission and shown in the list and the detail', async () => {
		for (const id of ['env-reported', 'env-silent']) await world.addContract(id, `Contract ${id}`);
		// Confirmed 54 s before receipt (a short gap) on a device that said it had no network.
		const deviceTime = new Date(world.now().getTime() - 54_000).toISOString();
		const reported = accepted(
			await ingestSubmission(world.deps, world.alice, {
				...(await world.body('env-reported', { deviceTime })),
				confirmedOffline: true
			})
		);
		const silent = accepted(await world.sign('env-silent', { deviceTime }));
		const stored = await world.open.db
			.selectFrom('submissions')
			.select(['id', 'confirmed_offline'])
			.execute();
		expect(Object.fromEntries(stored.map((r) => [r.id, r.confirmed_offline]))).toEqual({
			[reported]: 1,
			[silent]: null
		});
		const offline = (await list({ mode: 'offline' }))!;
		expect(offline.items.map((i) => i.submissionId)).toEqual([reported]);
		const detail = await reviewDetail(world.open.db, 'org', reported);
		expect(detail).toMatchObject({ offline: true, reportedOffline: true });
		expect(await reviewDetail(world.open.db, 'org', silent)).toMatchObject({
			offline: false,
			reportedOffline: null
		});
	});
});

describe('review list', () => {
	it('RV1, RV2: lists submissions and refusals newest first and filters by every column', async () => {
		const { online, offline, rejected } = await signSome();
		const all = (await list())!;
		expect(all.items.map((i) => i.status)).toEqual(['refused', 'accepted', 'accepted', 'accepted']);
		expect(all.items.slice(1).map((i) => i.submissionId)).toEqual([rejected, offline, online]);
		expect(all.items[0]).toMatchObject({
			submissionId: null,
			code: 'DOC_REVOKED',
			envelopeId: 'env-refused',
			signerName: 'user-alice'
		});
		expect(all.nextCursor).toBeNull();

		const ids = async (filter: Partial<ReviewFilter>) =>
			(await list(filter))!.items.map((i) => i.submissionId ?? i.code);
		expect(await ids({ mode: 'offline' })).toEqual([offline]);
		expect(await ids({ mode: 'online' })).toEqual([rejected, online]);
		expect(await ids({ decision: 'rejected' })).toEqual([rejected]);
		expect(await ids({ decision: 'signed' })).toEqual([offline, online]);
		expect(await ids({ status: 'refused' })).toEqual(['DOC_REVOKED']);
		expect(await ids({ contract: 'env-offline' })).toEqual([offline]);
		expect(await ids({ signer: world.alice.id, status: 'accepted' })).toEqual([
			rejected,
			offline,
			online
		]);
		expect(await ids({ signer: world.admin.id })).toEqual([]);
		// Date range on the server's receipt time: [from, to).
		expect(await ids({ from: '2026-03-01T08:01:00.000Z', to: '2026-03-01T08:03:00.000Z' })).toEqual(
			[rejected, offline]
		);

		await decideSubmission(world.open.db, world.now, world.admin, offline, {
			decision: 'flagged',
			comment: 'Device clock two hours behind'
		});
		await decideSubmission(world.open.db, world.now, world.admin, online, {
			decision: 'ok',
			comment: 'Checked'
		});
		expect(await ids({ status: 'flagged' })).toEqual([offline]);
		expect(await ids({ status: 'reviewed-ok' })).toEqual([online]);
		expect(await ids({ status: 'accepted' })).toEqual([rejected]);
		// Another organisation's admin sees nothing of this one.
		expect((await list({}, world.stranger.org_id))!.items).toEqual([]);
	});

	it('RV2: keyset pages never skip or repeat a row while new rows arrive between pages', async () => {
		const db = world.open.db;
		// 40 rows in 8 receipt instants (5 rows share each), so ties are broken by id.
		const row = (i: number, at: string) => ({
			id: `item-${String(i).padStart(3, '0')}`,
			org_id: 'org',
			submission_id: null,
			envelope_id: null,
			user_id: world.alice.id,
			received_at: at,
			status: 'accepted' as const,
			decision: 'signed' as const,
			offline: i % 2,
			code: null
		});
		const base = Date.parse('2026-03-01T00:00:00Z');
		const original = Array.from({ length: 40 }, (_, i) =>
			row(i, new Date(base + Math.floor(i / 5) * 1000).toISOString())
		);
		await db.insertInto('review_items').values(original).execute();

		const seen: string[] = [];
		let cursor: string | undefined;
		let arrivals = 0;
		do {
			const page: ReviewListResponse = (await list({ limit: 7, cursor }))!;
			seen.push(...page.items.map((i) => i.id));
			// New submissions arrive (later receipt times) before the next page is asked for.
			await db
				.insertInto('review_items')
				.values(
					[0, 1].map((k) =>
						row(100 + arrivals * 2 + k, new Date(base + 3_600_000 + arrivals * 1000).toISOString())
					)
				)
				.execute();
			arrivals++;
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		expect(seen).toHaveLength(40);
		expect(new Set(seen).size).toBe(40);
		// Exactly the original rows, newest first, ties by id descending.
		expect(seen).toEqual(
			[...original]
				.sort((a, b) => b.received_at.localeCompare(a.received_at) || b.id.localeCompare(a.id))
				.map((r) => r.id)
		);
		// The same holds with a filter: every odd row, in order.
		const offline: string[] = [];
		cursor = undefined;
		do {
			const page: ReviewListResponse = (await list({ limit: 3, mode: 'offline', cursor }))!;
			offline.push(...page.items.map((i) => i.id));
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		expect(offline.filter((id) => id < 'item-100')).toHaveLength(20);
		expect(new Set(offline).size).toBe(offline.length);
	});

	it('refuses a cursor or a filter value it did not make', async () => {
		expect(decodeCursor('not-a-cursor')).toBeNull();
		expect(await list({ cursor: 'bm90IGEgY3Vyc29y' })).toBeNull();
		expect(parseReviewFilter(new URLSearchParams('status=bogus'))).toBeNull();
		expect(parseReviewFilter(new URLSearchParams('limit=1000'))).toBeNull();
		expect(parseReviewFilter(new URLSearchParams('from=yesterday'))).toBeNull();
		expect(parseReviewFilter(new URLSearchParams('status=flagged&mode=offline&limit=20'))).toEqual({
			status: 'flagged',
			mode: 'offline',
			limit: 20
		});
	});

	// SQLite's planner and its EXPLAIN QUERY PLAN text; PostgreSQL plans by its statistics, which a
	// handful of test rows do not make index-worthy.
	it.skipIf(testEngine === 'postgres')(
		'every list query and the detail query are answered from an index (EXPLAIN QUERY PLAN)',
		async () => {
			const { online } = await signSome();
			const plan = async (query: { compile: () => CompiledQuery }) => {
				const compiled = query.compile();
				const result = await world.open.db.executeQuery<{ detail: string }>(
					CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters])
				);
				return result.rows.map((r) => r.detail);
			};
			const cursor = { receivedAt: '2026-03-01T08:02:00.000Z', id: 'x' };
			const filters: Partial<ReviewFilter>[] = [
				{},
				{ contract: 'env-online' },
				{ signer: world.alice.id },
				{ status: 'flagged' },
				{ decision: 'rejected' },
				{ mode: 'offline' },
				{ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
				{ status: 'accepted', mode: 'online', signer: world.alice.id }
			];
			for (const filter of filters) {
				for (const at of [null, cursor]) {
					const steps = await plan(
						reviewListQuery(world.open.db, 'org', filter as ReviewFilter, at)
					);
					const label = JSON.stringify({ filter, cursor: at !== null, steps });
					// The review table is searched through one of its indexes, never scanned bare.
					expect(
						steps.some((s) => /^SEARCH r USING INDEX review_items_/.test(s)),
						label
					).toBe(true);
					expect(
						steps.filter((s) => /^SCAN /.test(s)),
						label
					).toEqual([]);
					// A page after a cursor starts at the cursor in the index, not at the newest row.
					if (at) expect(steps.join(' '), label).toMatch(/\(received_at,id\)<\(\?,\?\)/);
					// A single filter reads the order straight off its index: no sort of all matches.
					if (Object.keys(filter).length <= 1 || filter.from) {
						expect(
							steps.filter((s) => /TEMP B-TREE/.test(s)),
							label
						).toEqual([]);
					}
				}
			}
			const detail = await plan(reviewDetailQuery(world.open.db, 'org', online));
			expect(
				detail.filter((s) => /^SCAN /.test(s)),
				JSON.stringify(detail)
			).toEqual([]);
		}
	);
});

describe('review detail and re-verification', () => {
	it('RV1: shows the signer, credential, ticket, times, marks and manifest of a real submission', async () => {
		const { offline } = await signSome();
		const detail = (await reviewDetail(world.open.db, 'org', offline))!;
		expect(detail.signer).toMatchObject({
			userId: world.alice.id,
			signerId: 'alice',
			role: { name: '张三', party: '示例科技有限公司' }
		});
		expect(detail.credential).toMatchObject({
			id: world.aliceKey.credentialId,
			name: 'Alice phone',
			userVerified: true,
			backedUp: false,
			assertionCounter: 2,
			currentCounter: 3
		});
		expect(detail.offline).toBe(true);
		expect(detail.clockGapMs).toBe(minutes(120));
		expect(detail.ticket.usedAt).toBe(detail.receivedAt);
		expect(
			detail.marks.map((m) => [m.type, 'kind' in m ? m.kind : null, 'page' in m ? m.page : null])
		).toEqual([
			['fill', 'signature', 3],
			['fill', 'seal', 3]
		]);
		expect(JSON.parse(detail.manifestJson).envelopeId).toBe('env-offline');
		expect(detail.manifestHash).toMatch(/^[0-9a-f]{64}$/);
		expect(detail.ingest.outcome).toBe('accepted');
		// Another organisation's admin cannot open it.
		expect(await reviewDetail(world.open.db, 'org-other', offline)).toBeNull();
	});

	it('RV5: re-verify flags a forged stamp an earlier release accepted, and keeps ✓ for the old image after the seal is regenerated', async () => {
		await world.addContract('env-forged');
		await world.addContract('env-genuine');
		const genuine = accepted(await world.sign('env-genuine'));
		const forgedPng = await discSealPng(256);
		const forged = sha256Hex(forgedPng);
		const body = await world.body('env-forged');
		const fill = body.manifest.fills[1]!;
		if (fill.kind !== 'seal') throw new Error('The sample fills a seal field second');
		fill.image = forged;
		body.manifest.fills[1] = fill;
		body.assertion = await world.aliceKey.assert({
			challenge: await manifestChallenge(body.manifest),
			origin: ORIGIN,
			rpId: 'sign.example.cn',
			userHandle: world.alice.id
		});
		body.images = { ...body.images, [forged]: Buffer.from(forgedPng).toString('base64') };
		// Today's ingest refuses it...
		const refused = await ingestSubmission(world.deps, world.alice, {
			...body,
			idempotencyKey: `key-${crypto.randomUUID()}`
		});
		expect(refused.status).toBe(422);
		// ...an earlier release, which knew no image versions, stored it: stood in for here by a
		// version of the forged image that exists only while the submission is accepted.
		await world.open.db
			.insertInto('seal_versions')
			.values({
				id: 'forged-for-a-moment',
				seal_id: 'seal-contract',
				image_hash: forged,
				width_mm: 42,
				height_mm: 42,
				valid_from: '2020-01-01T00:00:00.000Z',
				valid_until: null
			})
			.execute();
		const stored = accepted(await ingestSubmission(world.deps, world.alice, body));
		await world.open.db
			.deleteFrom('seal_versions')
			.where('id', '=', 'forged-for-a-moment')
			.execute();

		const result = (await reverifySubmission(world.open.db, world.now, ORIGIN, 'org', stored))!;
		expect(result.ok).toBe(false);
		expect(result.checks.map((c) => [c.check, c.ok])).toEqual([
			['manifest', true],
			['canonical', true],
			['hash', true],
			['binding', true],
			['signature', true],
			['user-verified', true],
			['seals', false]
		]);
		expect(result.reason).toBe('fills.1.image: SEAL_IMAGE_MISMATCH (R20)');

		// Regenerating the seal later does not cast doubt on what was stamped with the old image.
		world.setNow(new Date(world.now().getTime() + 60_000));
		await world.open.db
			.updateTable('seal_versions')
			.set({ valid_until: world.now().toISOString() })
			.where('seal_id', '=', 'seal-contract')
			.where('valid_until', 'is', null)
			.execute();
		await world.open.db
			.insertInto('seal_versions')
			.values({
				id: 'regenerated',
				seal_id: 'seal-contract',
				image_hash: 'e'.repeat(64),
				width_mm: 40,
				height_mm: 40,
				valid_from: world.now().toISOString(),
				valid_until: null
			})
			.execute();
		await world.open.db
			.updateTable('seals')
			.set({ status: 'disabled' })
			.where('id', '=', 'seal-contract')
			.execute();
		const still = (await reverifySubmission(world.open.db, world.now, ORIGIN, 'org', genuine))!;
		expect(still.ok).toBe(true);
	});

	it('RV4: re-verifies a real submission ✓ without changing any state, and ✗ after the manifest is altered in the file', async () => {
		const { online } = await signSome();
		const snapshot = async () => ({
			credentials: await world.open.db.selectFrom('credentials').selectAll().execute(),
			tickets: await world.open.db.selectFrom('tickets').selectAll().execute(),
			submissions: await world.open.db.selectFrom('submissions').selectAll().execute(),
			items: await world.open.db.selectFrom('review_items').selectAll().execute()
		});
		const before = await snapshot();
		const verify = () => reverifySubmission(world.open.db, world.now, ORIGIN, 'org', online);
		const good = (await verify())!;
		expect(good.ok).toBe(true);
		expect(good.reason).toBeNull();
		expect(good.checks.map((c) => [c.check, c.ok])).toEqual([
			['manifest', true],
			['canonical', true],
			['hash', true],
			['binding', true],
			['signature', true],
			['user-verified', true],
			['seals', true]
		]);
		// Twice in a row: no counter rule, no state.
		expect((await verify())!.ok).toBe(true);
		expect(await snapshot()).toEqual(before);
		expect(
			await reverifySubmission(world.open.db, world.now, ORIGIN, 'org-other', online)
		).toBeNull();

		// Someone edits the stored manifest in the database behind the server's back.
		const file = await openRawConnection(join(world.dir, 'app.db'));
		const stored = (await world.open.db
			.selectFrom('submissions')
			.select('manifest_json')
			.where('id', '=', online)
			.executeTakeFirstOrThrow()) as { manifest_json: string };
		const altered = stored.manifest_json.replace('"seal-contract"', '"seal-forged"');
		expect(altered).not.toBe(stored.manifest_json);
		await file.exec('update submissions set manifest_json = ? where id = ?', [altered, online]);
		const tampered = (await verify())!;
		expect(tampered.ok).toBe(false);
		expect(tampered.checks.at(-1)).toMatchObject({ check: 'hash', ok: false });
		expect(tampered.reason).toMatch(/not the stored/);

		// And when the stored hash is edited to match, the passkey signature gives it away.
		const { manifestHash } = await import('$lib/domain/canonical');
		const newHash = await manifestHash(JSON.parse(altered));
		await file.exec('update submissions set manifest_hash = ? where id = ?', [newHash, online]);
		await file.close();
		const forged = (await verify())!;
		expect(forged.ok).toBe(false);
		expect(forged.checks.at(-1)).toMatchObject({ check: 'signature', ok: false });
	});
});

describe('review decisions', () => {
	it('RV3: a comment of 1–500 characters after trimming is required; the decision is stored with who and when', async () => {
		const { online } = await signSome();
		expect(normaliseComment('  ok  ')).toBe('ok');
		expect(normaliseComment('   ')).toBeNull();
		expect(normaliseComment('签'.repeat(500))).toHaveLength(500);
		expect(normaliseComment('签'.repeat(501))).toBeNull();
		// 500 supplementary-plane characters are 500 characters, not 1000.
		expect(normaliseComment('𠀀'.repeat(500))).not.toBeNull();

		const decide = (comment: string, decision: 'ok' | 'flagged' = 'flagged', id = online) =>
			decideSubmission(world.open.db, world.now, world.admin, id, { decision, comment });
		expect(await decide('')).toMatchObject({ ok: false, code: 'COMMENT_INVALID' });
		expect(await decide('x'.repeat(501))).toMatchObject({ ok: false, code: 'COMMENT_INVALID' });
		expect((await reviewDetail(world.open.db, 'org', online))!.status).toBe('accepted');

		world.setNow(new Date('2026-03-02T09:00:00Z'));
		expect(await decide('  Signature looks shaky  ')).toMatchObject({
			ok: true,
			status: 'flagged'
		});
		world.setNow(new Date('2026-03-02T10:00:00Z'));
		expect(await decide('Called the signer: confirmed', 'ok')).toMatchObject({
			ok: true,
			status: 'reviewed-ok'
		});
		const detail = (await reviewDetail(world.open.db, 'org', online))!;
		expect(detail.status).toBe('reviewed-ok');
		expect(detail.decisions).toEqual([
			{
				decision: 'ok',
				comment: 'Called the signer: confirmed',
				adminName: 'user-admin',
				at: '2026-03-02T10:00:00.000Z'
			},
			{
				decision: 'flagged',
				comment: 'Signature looks shaky',
				adminName: 'user-admin',
				at: '2026-03-02T09:00:00.000Z'
			}
		]);
		// A refused attempt and another organisation's submission cannot be decided.
		const refusal = (await list({ status: 'refused' }))!.items[0]!;
		expect(await decide('x', 'ok', refusal.id)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		expect(
			await decideSubmission(world.open.db, world.now, world.stranger, online, {
				decision: 'ok',
				comment: 'mine now'
			})
		).toMatchObject({ ok: false, code: 'NOT_FOUND' });
	});
});

describe('review endpoints', () => {
	it('refuse signers (FORBIDDEN) and signed-out visitors (UNAUTHENTICATED) before reading anything', async () => {
		const endpoints = [
			(await import('../../../routes/api/admin/submissions/+server')).GET,
			(await import('../../../routes/api/admin/submissions/facets/+server')).GET,
			(await import('../../../routes/api/admin/submissions/[id]/+server')).GET,
			(await import('../../../routes/api/admin/submissions/[id]/verify/+server')).POST,
			(await import('../../../routes/api/admin/submissions/[id]/review/+server')).POST,
			(await import('../../../routes/api/admin/blobs/[hash]/+server')).GET
		] as unknown as ((event: unknown) => Promise<Response>)[];
		for (const handler of endpoints) {
			for (const [user, status, code] of [
				[world.alice, 403, 'FORBIDDEN'],
				[null, 401, 'UNAUTHENTICATED']
			] as const) {
				// The guard throws SvelteKit's error(); SvelteKit answers with its status and body.
				const refused = await handler({
					locals: { user },
					params: { id: 'x', hash: 'a'.repeat(64) },
					url: new URL('http://localhost/api/admin/submissions'),
					request: new Request('http://localhost/', { method: 'POST', body: '{}' })
				}).then(
					() => null,
					(thrown: unknown) => (isHttpError(thrown) ? thrown : null)
				);
				expect(refused?.status).toBe(status);
				expect(refused?.body.error?.code).toBe(code);
			}
		}
	});
});
