import { createTransport, type Transporter } from 'nodemailer';
import { readFileSync } from 'node:fs';
import type { DkimConfig } from './config';
import { createSmsProvider, SmsNotifier, type SmsConfig } from './sms';

export { NotifyError, type Notifier, type NotifyMessage } from './notifier';
import type { Notifier, NotifyMessage } from './notifier';
import { NotifyError } from './notifier';

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

/** The SMTP transport settings `SmtpNotifier` accepts besides the URL; tests pass a CA. */
export interface SmtpOptions {
	/** Limit for the name lookup, connecting, the greeting and each silent wait on the server. */
	timeoutMs?: number;
	/** Extra TLS settings (a private CA); certificates are always verified. */
	tls?: { ca?: string | Buffer | (string | Buffer)[] };
	/**
	 * DKIM signing (relaxed/relaxed, SHA-256) with the domain's published key, so receiving
	 * servers that check DMARC do not file invitations as spam or forgeries.
	 */
	dkim?: { domainName: string; keySelector: string; privateKey: string };
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
				tls: { ...options.tls, rejectUnauthorized: true },
				dkim: options.dkim
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

/** The notifiers a server has: console always; SMTP and SMS each when configured. */
export interface Notifiers {
	console: Notifier;
	smtp: Notifier | null;
	sms: Notifier | null;
}

/** Builds the notifiers from configuration, once at start-up. */
export function createNotifiers(config: {
	smtpUrl: string | null;
	smtpFrom: string;
	dkim?: DkimConfig | null;
	sms?: SmsConfig | null;
}): Notifiers {
	// Read at start-up: a missing or unreadable key stops the server instead of unsigned mail.
	const dkim = config.dkim
		? {
				domainName: config.dkim.domainName,
				keySelector: config.dkim.keySelector,
				privateKey: readFileSync(config.dkim.privateKeyFile, 'utf8')
			}
		: undefined;
	return {
		console: new ConsoleNotifier(),
		smtp: config.smtpUrl ? new SmtpNotifier(config.smtpUrl, config.smtpFrom, { dkim }) : null,
		sms: config.sms ? new SmsNotifier(createSmsProvider(config.sms), config.sms) : null
	};
}

/**
 * The notifier for a contact: an e-mail address goes by SMTP, a phone number by SMS, each when
 * that channel is configured, else to the console outbox (pilot and tests). One channel being
 * configured never stops the other kind of contact: an organisation invites by both.
 */
export function notifierFor(notifiers: Notifiers, contact: string): Notifier {
	return (isEmail(contact) ? notifiers.smtp : notifiers.sms) ?? notifiers.console;
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
