import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { Database, NotifyChannel } from '../db/schema';
import type { Clock } from './clock';

/** One message to one person. Plain text: invites carry a link and a code, nothing richer. */
export interface NotifyMessage {
	to: string;
	subject: string;
	body: string;
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

/**
 * The default channel: prints to the server's stdout. The outbox row written by `deliver` is
 * what the admin outbox page lists, so a pilot with no mail server still gets codes across.
 */
export class ConsoleNotifier implements Notifier {
	readonly channel = 'console' as const;
	constructor(private readonly log: (line: string) => void = console.log) {}
	async send(message: NotifyMessage): Promise<void> {
		this.log(`SealPass notification to ${message.to}: ${message.subject}\n${message.body}`);
	}
}

/**
 * SMS is pluggable but no provider is wired in yet: it refuses clearly instead of pretending,
 * so an invite to a phone number never silently goes nowhere.
 */
export class SmsNotifier implements Notifier {
	readonly channel = 'sms' as const;
	async send(): Promise<void> {
		throw new NotifyError('SMS delivery is not configured on this server');
	}
}

/** The SMTP transport settings `SmtpNotifier` accepts besides the URL; tests pass a CA. */
export interface SmtpOptions {
	/** Limit for the name lookup, connecting, the greeting and each silent wait on the server. */
	timeoutMs?: number;
	/** Extra TLS settings (a private CA); certificates are always verified. */
	tls?: { ca?: string | Buffer | (string | Buffer)[] };
}

/**
 * Invite mail over SMTP, by nodemailer. smtps:// is TLS from the first byte (port 465);
 * smtp:// upgrades with STARTTLS whenever the server offers it, and insists on it when the URL
 * carries credentials, so a server (or a man in the middle) that hides STARTTLS cannot make
 * the password cross in clear. Every wait has a limit, so a dead mail server fails the one
 * invite instead of holding the request that sends it.
 */
export class SmtpNotifier implements Notifier {
	readonly channel = 'smtp' as const;
	private readonly transport: Transporter;
	private readonly where: string;
	private readonly password: string;

	constructor(url: string, from: string, options: SmtpOptions = {}) {
		const parsed = new URL(url);
		const secure = parsed.protocol === 'smtps:';
		const host = parsed.hostname.replace(/^\[|\]$/g, '');
		const port = Number(parsed.port) || (secure ? 465 : 25);
		const user = decodeURIComponent(parsed.username);
		this.password = decodeURIComponent(parsed.password);
		this.where = `${host}:${port}`;
		const timeout = options.timeoutMs ?? 15_000;
		this.transport = createTransport(
			{
				host,
				port,
				secure,
				requireTLS: !secure && Boolean(user || this.password),
				auth: user || this.password ? { user, pass: this.password } : undefined,
				dnsTimeout: timeout,
				connectionTimeout: timeout,
				greetingTimeout: timeout,
				socketTimeout: timeout,
				tls: { ...options.tls, rejectUnauthorized: true }
			},
			{ from }
		);
	}

	async send(message: NotifyMessage): Promise<void> {
		try {
			await this.transport.sendMail({
				to: message.to,
				subject: message.subject,
				text: message.body
			});
		} catch (error) {
			// nodemailer's messages name the step and the server's reply; the password is cut out
			// all the same, since this text is stored with the notification and shown to the admin
			// who sent the invite.
			let text = error instanceof Error ? error.message : String(error);
			if (this.password) text = text.split(this.password).join('***');
			throw new NotifyError(`SMTP ${this.where}: ${text}`, { cause: error });
		}
	}
}

/** Whether a contact is an email address (else it is treated as a phone number). */
export function isEmail(contact: string): boolean {
	return contact.includes('@');
}

/** The notifiers a server has: console always; SMTP when configured; SMS refuses until wired. */
export interface Notifiers {
	console: Notifier;
	smtp: Notifier | null;
	sms: Notifier;
}

/** Builds the notifiers from configuration, once at start-up. */
export function createNotifiers(config: { smtpUrl: string | null; smtpFrom: string }): Notifiers {
	return {
		console: new ConsoleNotifier(),
		smtp: config.smtpUrl ? new SmtpNotifier(config.smtpUrl, config.smtpFrom) : null,
		sms: new SmsNotifier()
	};
}

/**
 * The notifier for a contact. Without SMTP every message goes to the console outbox (pilot and
 * tests); once real delivery is configured, e-mail goes by SMTP and phone numbers to SMS, which
 * refuses until a provider is added — a deployment with real delivery must not fall back to a
 * console nobody reads.
 */
export function notifierFor(notifiers: Notifiers, contact: string): Notifier {
	if (!notifiers.smtp) return notifiers.console;
	return isEmail(contact) ? notifiers.smtp : notifiers.sms;
}

/**
 * Sends a message and records it in the notifications outbox with its outcome. The body is kept
 * only for the console channel, whose outbox page is how it reaches the person; for real
 * channels the code must not sit in the database. The row is filed under the sending
 * organisation, whose admins alone may list it.
 */
export async function deliver(
	db: Kysely<Database>,
	clock: Clock,
	orgId: string,
	notifier: Notifier,
	message: NotifyMessage
): Promise<{ ok: true } | { ok: false; error: string }> {
	const id = randomUUID();
	await db
		.insertInto('notifications')
		.values({
			id,
			channel: notifier.channel,
			recipient: message.to,
			subject: message.subject,
			body: notifier.channel === 'console' ? message.body : '',
			created_at: clock().toISOString(),
			sent_at: null,
			error: null,
			org_id: orgId
		})
		.execute();
	try {
		await notifier.send(message);
		await db
			.updateTable('notifications')
			.set({ sent_at: clock().toISOString() })
			.where('id', '=', id)
			.execute();
		return { ok: true };
	} catch (error) {
		const text = error instanceof Error ? error.message : String(error);
		await db.updateTable('notifications').set({ error: text }).where('id', '=', id).execute();
		return { ok: false, error: text };
	}
}

/** The locales every message is written in, Chinese first: people get both in one message. */
export const MESSAGE_LOCALES = ['zh-CN', 'en'] as const;
export type MessageLocale = (typeof MESSAGE_LOCALES)[number];

/**
 * A subject and body in both languages: the subject's two forms joined by " / ", the bodies'
 * by a blank line. The recipient's language is not known when the message goes out (they may
 * not have an account yet), so everyone reads both.
 */
export function bilingual(
	subject: (locale: MessageLocale) => string,
	body: (locale: MessageLocale) => string
): { subject: string; body: string } {
	return {
		subject: MESSAGE_LOCALES.map(subject).join(' / '),
		body: MESSAGE_LOCALES.map(body).join('\n\n')
	};
}
