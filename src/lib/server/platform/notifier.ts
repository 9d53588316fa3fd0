import type { NotifyChannel } from '../db/schema';
import type { SmsTemplate } from './sms-templates';

// What every delivery channel is, apart from notify.ts, which builds the channels: the SMS
// channel (sms.ts) implements it and notify.ts builds that channel, so with these in notify.ts
// the two imported each other.

/**
 * One message to one person. Plain text: invites carry a link and a code, nothing richer. `sms`
 * is the same message as an approved SMS template and its variables, which is all an SMS
 * provider will send; a message without it cannot go to a phone.
 */
export interface NotifyMessage {
	to: string;
	subject: string;
	body: string;
	sms?: { template: SmsTemplate; params: Record<string, string> };
}

/** A delivery channel. Adapters throw NotifyError when the message was not handed over. */
export interface Notifier {
	readonly channel: NotifyChannel;
	send(message: NotifyMessage): Promise<void>;
}

/** A message could not be delivered; the text names the channel and the cause for the operator. */
export class NotifyError extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = 'NotifyError';
	}
}
