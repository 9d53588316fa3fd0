import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { hostname } from 'node:os';
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

/** RFC 2047 encoded-words for a UTF-8 header, each at most 75 characters long. */
export function encodeHeaderWord(text: string): string {
	if (/^[\x20-\x7e]*$/.test(text)) return text;
	const words: string[] = [];
	let chunk = '';
	for (const ch of text) {
		// 45 bytes of UTF-8 become 60 base64 characters: with "=?UTF-8?B?" and "?=" that is 72.
		if (Buffer.byteLength(chunk + ch) > 45) {
			words.push(chunk);
			chunk = '';
		}
		chunk += ch;
	}
	if (chunk) words.push(chunk);
	return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** The address inside "Name <addr>", or the string itself. */
function bareAddress(address: string): string {
	return /<([^>]+)>/.exec(address)?.[1] ?? address.trim();
}

/** Builds the RFC 5322 message: UTF-8 text as base64, so no line or byte rules can break it. */
export function buildMimeMessage(from: string, message: NotifyMessage, date: Date): string {
	const body = Buffer.from(message.body.replace(/\r?\n/g, '\r\n'))
		.toString('base64')
		.replace(/.{1,76}/g, '$&\r\n');
	const fromName = /^(.*?)\s*<[^>]+>$/.exec(from)?.[1];
	const fromHeader = fromName ? `${encodeHeaderWord(fromName)} <${bareAddress(from)}>` : from;
	return [
		`From: ${fromHeader}`,
		`To: <${message.to}>`,
		`Subject: ${encodeHeaderWord(message.subject)}`,
		`Date: ${date.toUTCString()}`,
		`Message-ID: <${randomUUID()}@${bareAddress(from).split('@')[1] ?? 'sealpass'}>`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=UTF-8',
		'Content-Transfer-Encoding: base64',
		'',
		body
	].join('\r\n');
}

/** Reads SMTP replies (multi-line ones joined) from a socket, one `next()` per reply. */
class ReplyReader {
	private buffer = '';
	private lines: string[] = [];
	private waiting: ((reply: { code: number; text: string }) => void) | null = null;
	private failed: Error | null = null;
	private failWaiter: ((error: Error) => void) | null = null;

	constructor(socket: Socket) {
		socket.setEncoding('utf8');
		socket.on('data', (data: string) => {
			this.buffer += data;
			let end;
			while ((end = this.buffer.indexOf('\r\n')) >= 0) {
				const line = this.buffer.slice(0, end);
				this.buffer = this.buffer.slice(end + 2);
				this.lines.push(line);
				// "250-" continues a reply, "250 " ends it.
				if (/^\d{3}(?: |$)/.test(line)) this.flush();
			}
		});
		const fail = (error: Error) => {
			this.failed ??= error;
			this.failWaiter?.(error);
		};
		socket.on('error', fail);
		socket.on('close', () => fail(new NotifyError('SMTP server closed the connection')));
	}

	private pending: { code: number; text: string }[] = [];

	private flush() {
		const reply = {
			code: Number(this.lines.at(-1)!.slice(0, 3)),
			text: this.lines.map((l) => l.slice(4)).join('\n')
		};
		this.lines = [];
		if (this.waiting) {
			const w = this.waiting;
			this.waiting = null;
			w(reply);
		} else this.pending.push(reply);
	}

	next(): Promise<{ code: number; text: string }> {
		const ready = this.pending.shift();
		if (ready) return Promise.resolve(ready);
		if (this.failed) return Promise.reject(this.failed);
		return new Promise((resolve, reject) => {
			this.waiting = resolve;
			this.failWaiter = reject;
		});
	}
}

/**
 * A minimal SMTP client (RFC 5321) for invite mail: EHLO, AUTH PLAIN when the URL carries a
 * user, MAIL FROM, RCPT TO, DATA, QUIT. smtps:// is TLS from the first byte (port 465);
 * smtp:// is plain (a local relay). Written by hand because one short conversation does not
 * justify a mail library dependency.
 */
export class SmtpNotifier implements Notifier {
	readonly channel = 'smtp' as const;
	private readonly url: URL;

	constructor(
		url: string,
		private readonly from: string,
		private readonly options: {
			timeoutMs?: number;
			clock?: Clock;
			tlsRejectUnauthorized?: boolean;
		} = {}
	) {
		this.url = new URL(url);
	}

	async send(message: NotifyMessage): Promise<void> {
		const secure = this.url.protocol === 'smtps:';
		const host = this.url.hostname;
		const port = Number(this.url.port) || (secure ? 465 : 25);
		const socket: Socket = secure
			? tlsConnect({
					host,
					port,
					servername: host,
					rejectUnauthorized: this.options.tlsRejectUnauthorized ?? true
				})
			: netConnect({ host, port });
		socket.setTimeout(this.options.timeoutMs ?? 15_000, () =>
			socket.destroy(new NotifyError(`SMTP server ${host}:${port} timed out`))
		);
		const replies = new ReplyReader(socket);
		const step = async (command: string | null, expect: number[], what: string) => {
			if (command !== null) socket.write(`${command}\r\n`);
			const reply = await replies.next();
			if (!expect.includes(reply.code)) {
				throw new NotifyError(`SMTP ${what} refused: ${reply.code} ${reply.text}`);
			}
		};
		try {
			await step(null, [220], 'greeting');
			await step(`EHLO ${hostname() || 'sealpass'}`, [250], 'EHLO');
			if (this.url.username) {
				const user = decodeURIComponent(this.url.username);
				const pass = decodeURIComponent(this.url.password);
				const token = Buffer.from(`\0${user}\0${pass}`).toString('base64');
				await step(`AUTH PLAIN ${token}`, [235], 'AUTH');
			}
			await step(`MAIL FROM:<${bareAddress(this.from)}>`, [250], 'MAIL FROM');
			await step(`RCPT TO:<${message.to}>`, [250, 251], 'RCPT TO');
			await step('DATA', [354], 'DATA');
			const date = (this.options.clock ?? (() => new Date()))();
			// Dot-stuffing: a line that starts with "." gets another, so it cannot end the data.
			const data = buildMimeMessage(this.from, message, date).replace(/^\./gm, '..');
			await step(`${data}\r\n.`, [250], 'message');
			await step('QUIT', [221], 'QUIT').catch(() => undefined);
		} catch (error) {
			throw error instanceof NotifyError
				? error
				: new NotifyError(`SMTP ${host}:${port}: ${(error as Error).message}`, { cause: error });
		} finally {
			socket.destroy();
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
