import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

// Test support only: a real SMTP server (smtp-server) on 127.0.0.1 and a throw-away
// certificate, so mail tests exercise nodemailer against a real protocol peer instead of a fake.

/** What one SMTP server saw of the client. */
export interface Received {
	mail: ParsedMail[];
	/** The messages as they crossed the wire (after the DATA dot-unstuffing), for header checks. */
	raw: Buffer[];
	envelopes: { from: string; to: string[]; secure: boolean }[];
	logins: { username?: string | null; password?: string | null; secure: boolean }[];
}

export interface TestSmtpServer {
	port: number;
	received: Received;
	close(): Promise<void>;
}

/**
 * Starts a real SMTP server on an ephemeral port of 127.0.0.1. Without a certificate it offers
 * no STARTTLS (smtp-server's built-in test certificate would only fail verification); every
 * login is accepted and recorded; `extra` overrides any hook to make the server refuse.
 */
export async function startSmtpServer(
	options: { tls?: { key: string; cert: string }; secure?: boolean; extra?: SMTPServerOptions } = {}
): Promise<TestSmtpServer> {
	const received: Received = { mail: [], raw: [], envelopes: [], logins: [] };
	const server = new SMTPServer({
		logger: false,
		secure: options.secure ?? false,
		...(options.tls ?? {}),
		disabledCommands: options.tls ? [] : ['STARTTLS'],
		authOptional: true,
		onAuth(auth, session, callback) {
			received.logins.push({
				username: auth.username,
				password: auth.password,
				secure: session.secure
			});
			callback(null, { user: auth.username });
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			const whole = new Promise<Buffer>((resolve, reject) => {
				stream.on('end', () => resolve(Buffer.concat(chunks)));
				stream.on('error', reject);
			});
			whole.then(async (raw) => {
				const mail = await simpleParser(raw);
				received.raw.push(raw);
				received.mail.push(mail);
				received.envelopes.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					secure: session.secure
				});
				callback();
			}, callback);
		},
		...options.extra
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.server.address() as { port: number }).port,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** A self-signed certificate for 127.0.0.1, made by openssl; the key never leaves a temp folder. */
export function selfSignedCertificate(): { key: string; cert: string } {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-smtp-cert-'));
	try {
		const key = join(dir, 'key.pem');
		const cert = join(dir, 'cert.pem');
		execFileSync(
			'openssl',
			[
				...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
				...['-nodes', '-keyout', key, '-out', cert, '-days', '1'],
				...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']
			],
			{ stdio: 'pipe' }
		);
		return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
