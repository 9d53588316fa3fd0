import { describe, expect, it } from 'vitest';
import { sentSummary } from './contract-display';

const none = { invited: 0, notified: 0, notifyFailed: 0, waiting: 0, held: 0 };

describe('sentSummary', () => {
	it('counts in the singular and the plural, naming the code’s lifetime', () => {
		expect(sentSummary({ ...none, invited: 1, notified: 1 }, 'en')).toBe(
			'Sent. 1 new signer was invited: the code in their message is valid for 10 minutes, and a new one can be asked for. 1 signer was told the contract is waiting for them.'
		);
		expect(sentSummary({ ...none, invited: 2, notified: 3 }, 'en')).toBe(
			'Sent. 2 new signers were invited: the code in each message is valid for 10 minutes, and a new one can be asked for. 3 signers were told the contract is waiting for them.'
		);
	});

	it('leaves out what did not happen, so nothing reads "0 notified"', () => {
		expect(sentSummary({ ...none, waiting: 1 }, 'en')).toBe(
			'Sent. 1 later signer will be told when their turn comes.'
		);
		expect(sentSummary(none, 'en')).toBe('Sent.');
	});

	it('says where held messages are, and what failed', () => {
		expect(sentSummary({ ...none, notified: 2, held: 2, notifyFailed: 1 }, 'en')).toBe(
			'Sent. 2 signers were told the contract is waiting for them. No mail or SMS service is set up, so 2 messages are on the Message outbox page for you to pass on. 1 notification could not be delivered; see the invitations page.'
		);
	});

	it('writes Chinese sentences without spaces between them', () => {
		expect(sentSummary({ ...none, notified: 1, waiting: 2 }, 'zh-CN')).toBe(
			'已发送。已通知 1 位签署人合同待其签署。其余 2 位签署人将在轮到时收到通知。'
		);
	});
});
