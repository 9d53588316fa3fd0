import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import {
	checkSentence,
	formatClockGap,
	reviewMarkKind,
	signerRoleText,
	verifyFailedText
} from './review-display';
import { statusLabel } from './review';
import { SubmissionReview } from './submission-review.svelte';

/** A server that answers every request with `status` and `body`, recording what it was sent. */
function server(status: number, body: unknown) {
	const sent: { url: string; body: unknown }[] = [];
	const fetcher = (async (url: string, init?: RequestInit) => {
		sent.push({ url, body: init?.body ? JSON.parse(String(init.body)) : null });
		return new Response(JSON.stringify(body), {
			status,
			headers: { 'Content-Type': 'application/json' }
		});
	}) as typeof fetch;
	return { fetcher, sent };
}

describe('SubmissionReview.decide', () => {
	it('refuses an empty comment at once, sending nothing', async () => {
		const review = new SubmissionReview();
		const { fetcher, sent } = server(200, { status: 'flagged', at: '' });
		review.comment = '   ';
		await review.decide(fetcher, 'sub-1', 'flagged', async () => {});
		expect(review.saveError).toBe(m.error_COMMENT_INVALID());
		expect(sent).toEqual([]);
	});

	it('records the decision with the comment, says the new status and reloads', async () => {
		const review = new SubmissionReview();
		const { fetcher, sent } = server(200, { status: 'flagged', at: '2026-01-02T03:04:05Z' });
		let reloaded = 0;
		review.comment = ' 签名时间可疑 ';
		expect(review.commentLength).toBe(6);
		await review.decide(fetcher, 'sub-1', 'flagged', async () => reloaded++);
		expect(sent).toEqual([
			{
				url: '/api/admin/submissions/sub-1/review',
				body: { decision: 'flagged', comment: ' 签名时间可疑 ' }
			}
		]);
		expect(review.saved).toBe(m.review_saved({ status: statusLabel.flagged() }));
		expect([review.comment, review.saveError, review.saving, reloaded]).toEqual([
			'',
			null,
			null,
			1
		]);
	});

	it('keeps the comment when the server refuses, so nothing the admin wrote is lost', async () => {
		const review = new SubmissionReview();
		const { fetcher } = server(409, { error: { code: 'COMMENT_INVALID', message: 'no' } });
		review.comment = 'looks fine';
		await review.decide(fetcher, 'sub-1', 'ok', async () => {});
		expect(review.comment).toBe('looks fine');
		expect(review.saveError).toBe(m.error_COMMENT_INVALID());
		expect(review.saved).toBeNull();
		expect(review.saving).toBeNull();
	});
});

describe('review display', () => {
	it('gives a clock gap in minutes, and in hours from two hours on', () => {
		expect(formatClockGap(90 * 60_000)).toMatch(/90/);
		expect(formatClockGap(-3 * 3_600_000)).toMatch(/-3|−3/);
		expect(formatClockGap(3 * 3_600_000)).not.toMatch(/180/);
	});

	it('names a field mark by what was put in it', () => {
		const fill = {
			type: 'fill',
			fieldId: 'f1',
			page: 1,
			rect: { x: 0, y: 0, width: 1, height: 1 },
			image: null,
			text: '2026-01-02',
			sealId: null
		} as const;
		expect(reviewMarkKind({ ...fill, kind: 'date' })).toBe(m.review_mark_date());
		expect(reviewMarkKind({ ...fill, kind: 'seal' })).toBe(m.review_mark_seal());
	});
});

describe('the review page in words a reviewer understands', () => {
	it('says each verification step as a sentence, without the server detail or rule ids', () => {
		const checks = [
			{
				check: 'manifest' as const,
				ok: true,
				detail: 'The stored manifest has the manifest shape (M1)'
			},
			{ check: 'signature' as const, ok: false, detail: 'Signature verification failed (M3)' }
		];
		expect(checkSentence(checks[0]!)).toBe(m.rough_review_check_ok_manifest());
		expect(checkSentence(checks[1]!)).toBe(m.rough_review_check_failed_signature());
		const failed = verifyFailedText({ checks });
		expect(failed).toContain(m.rough_review_check_failed_signature());
		expect(failed).not.toMatch(/M\d/);
	});

	it("names the signer by the contract's own words, falling back to the id", () => {
		const signer = { userId: 'u', name: 'Zhang', realName: null, signerId: 'signer-1' };
		expect(signerRoleText({ ...signer, role: { name: '张三', party: '示例科技有限公司' } })).toBe(
			'张三 (示例科技有限公司)'
		);
		expect(signerRoleText({ ...signer, role: { name: '张三', party: '' } })).toBe('张三');
		expect(signerRoleText({ ...signer, role: null })).toBe('signer-1');
	});
});
