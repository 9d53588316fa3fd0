import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import { ingestSubmission } from './ingest';
import { listReview, reviewDetail } from '../review';
import { createReviewWorld, type ReviewWorld } from '../../../../tests/support/review-world';

// A device clock days wrong at confirmation, through the real ingest and review: the device time
// is evidence, never authority. Acceptance and ticket expiry follow the server's clock, and the
// review records the device time as sent, so the gap it shows is the honest one (RV1).

const DAY = 86_400_000;
let world: ReviewWorld;

beforeEach(async () => {
	world = await createReviewWorld();
	for (const id of ['env-behind', 'env-ahead', 'env-late']) await world.addContract(id);
});

afterEach(async () => {
	await world.close();
});

async function row(submissionId: string) {
	const list = await listReview(world.open.db, 'org', {} as never);
	const item = list!.items.find((i) => i.submissionId === submissionId)!;
	return { item, detail: (await reviewDetail(world.open.db, 'org', item.id))! };
}

it('RV1: a device clock nine days behind is accepted and recorded offline with its raw device time; one three days ahead is accepted and counted online, its time kept as sent', async () => {
	const now = world.now().getTime();
	const behind = new Date(now - 9 * DAY).toISOString();
	const ahead = new Date(now + 3 * DAY).toISOString();
	const a = await world.sign('env-behind', { deviceTime: behind });
	const b = await world.sign('env-ahead', { deviceTime: ahead });
	expect([a.status, b.status]).toEqual([201, 201]);

	const first = await row((a.body as SubmissionAccepted).submissionId);
	expect(first.item.offline).toBe(true);
	expect(first.detail).toMatchObject({ deviceTime: behind, receivedAt: world.now().toISOString() });
	const second = await row((b.body as SubmissionAccepted).submissionId);
	expect(second.item.offline).toBe(false);
	expect(second.detail).toMatchObject({ deviceTime: ahead, receivedAt: world.now().toISOString() });
});

it('TICKET_EXPIRED: a device clock behind cannot stretch a ticket; expiry is judged on the server clock whatever time the manifest claims', async () => {
	// The ticket comes from a pool fetched now; the signer syncs 31 days later with a clock that
	// still says "now".
	const body = await world.body('env-late', { deviceTime: world.now().toISOString() });
	world.setNow(new Date(world.now().getTime() + 31 * DAY));
	const answer = await ingestSubmission(world.deps, world.alice, body);
	expect(answer.status).toBe(422);
	expect((answer.body as SubmissionRefused).error.code).toBe('TICKET_EXPIRED');
});
