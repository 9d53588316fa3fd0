import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { NotifyError, SmtpNotifier } from './notify';
import { selfSignedCertificate, startSmtpServer, type TestSmtpServer } from './test-smtp';

const servers: TestSmtpServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(options?: Parameters<typeof startSmtpServer>[0]) {
	const server = await startSmtpServer(options);
	servers.push(server);
	return server;
}

let tls = { key: '', cert: '' };
beforeAll(() => {
	tls = selfSignedCertificate();
});

const message = {
	to: 'lisi@example.cn',
	subject: '签章通邀请 / Your SealPass invitation — 请于三日内签署《采购合同》',
	body: '李四，您好！请打开 https://sign.example.cn/invite/abc 并输入验证码 123456。\n.leading dot'
};

describe('SmtpNotifier against a real SMTP server', () => {
	it('delivers From, To, a Chinese subject and the body with the link and code', async () => {
		const { port, received } = await startServer();
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, '签章通 <noreply@example.cn>');
		await notifier.send(message);

		expect(received.envelopes).toEqual([
			{ from: 'noreply@example.cn', to: ['lisi@example.cn'], secure: false }
		]);
		expect(received.logins).toEqual([]);
		const mail = received.mail[0]!;
		expect(mail.from?.value).toEqual([{ name: '签章通', address: 'noreply@example.cn' }]);
		const to = Array.isArray(mail.to) ? mail.to : [mail.to!];
		expect(to.flatMap((a) => a.value.map((v) => v.address))).toEqual(['lisi@example.cn']);
		expect(mail.subject).toBe(message.subject);
		expect(mail.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(message.body);
		expect(mail.date).toBeInstanceOf(Date);
		expect(mail.messageId).toMatch(/@example\.cn>$/);
	});

	it('upgrades smtp:// with STARTTLS and logs in with the URL credentials', async () => {
		const { port, received } = await startServer({ tls });
		const notifier = new SmtpNotifier(
			`smtp://mailer%40example.cn:p%40ss%3Aw0rd@127.0.0.1:${port}`,
			'noreply@example.cn',
			{ tls: { ca: tls.cert } }
		);
		await notifier.send(message);
		expect(received.logins).toEqual([
			{ username: 'mailer@example.cn', password: 'p@ss:w0rd', secure: true }
		]);
		expect(received.envelopes.map((e) => e.secure)).toEqual([true]);
		expect(received.mail[0]!.subject).toBe(message.subject);
	});

	it('speaks TLS from the first byte for smtps://', async () => {
		const { port, received } = await startServer({ tls, secure: true });
		const notifier = new SmtpNotifier(
			`smtps://mailer:secret@127.0.0.1:${port}`,
			'noreply@example.cn',
			{ tls: { ca: tls.cert } }
		);
		await notifier.send(message);
		expect(received.logins).toEqual([{ username: 'mailer', password: 'secret', secure: true }]);
		expect(received.envelopes).toEqual([
			{ from: 'noreply@example.cn', to: ['lisi@example.cn'], secure: true }
		]);
	});

	it('refuses to send credentials when the server offers no STARTTLS', async () => {
		const { port, received } = await startServer({ extra: { allowInsecureAuth: true } });
		const notifier = new SmtpNotifier(
			`smtp://mailer:s3cret-pw@127.0.0.1:${port}`,
			'noreply@example.cn'
		);
		const error = await notifier.send(message).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toContain(`127.0.0.1:${port}`);
		expect((error as Error).message).not.toContain('s3cret-pw');
		expect(received.logins).toEqual([]);
		expect(received.mail).toEqual([]);
	});

	it('refuses a certificate it cannot verify', async () => {
		const { port, received } = await startServer({ tls });
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'noreply@example.cn');
		await expect(notifier.send(message)).rejects.toThrow(NotifyError);
		expect(received.mail).toEqual([]);
	});

	it('reports a rejected login without the password', async () => {
		const { port } = await startServer({
			tls,
			extra: {
				onAuth(_auth, _session, callback) {
					callback(new Error('Invalid username or password'));
				}
			}
		});
		const notifier = new SmtpNotifier(
			`smtp://mailer:s3cret-pw@127.0.0.1:${port}`,
			'noreply@example.cn',
			{ tls: { ca: tls.cert } }
		);
		const error = await notifier.send(message).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(/535|Invalid/);
		expect((error as Error).message).not.toContain('s3cret-pw');
		expect((error as Error).message).not.toContain(Buffer.from('s3cret-pw').toString('base64'));
	});

	it('reports a 5xx answer to RCPT TO as NotifyError with the server reply', async () => {
		const { port, received } = await startServer({
			extra: {
				onRcptTo(_address, _session, callback) {
					callback(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
				}
			}
		});
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'noreply@example.cn');
		const error = await notifier.send(message).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(/550 5\.1\.1 No such mailbox here/);
		expect(received.mail).toEqual([]);
	});

	it('names the server when nothing listens on the port', async () => {
		const { port } = await startServer();
		await servers.pop()!.close();
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'noreply@example.cn');
		const error = await notifier.send(message).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toContain(`SMTP 127.0.0.1:${port}`);
	});

	it('gives up on a server that accepts the connection but never greets, within the timeout', async () => {
		// onConnect never answering keeps the real server from sending its 220 greeting.
		const { port } = await startServer({ extra: { onConnect() {} } });
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'noreply@example.cn', {
			timeoutMs: 300
		});
		const started = Date.now();
		const error = await notifier.send(message).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(/greeting|timeout/i);
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('sends a Chinese subject and display name as RFC 2047 encoded words, over STARTTLS after login', async () => {
		const { port, received } = await startServer({ tls });
		const notifier = new SmtpNotifier(
			`smtp://mailer:secret@127.0.0.1:${port}`,
			'签章通 <noreply@example.cn>',
			{ tls: { ca: tls.cert } }
		);
		await notifier.send({ ...message, to: '李四 <lisi@example.cn>' });
		expect(received.logins).toEqual([{ username: 'mailer', password: 'secret', secure: true }]);
		expect(received.envelopes[0]!.secure).toBe(true);
		const head = headerBlock(received.raw[0]!);
		// Headers on the wire are 7-bit: the Chinese travels as encoded words, nowhere raw.
		expect(/[^\t\r\n -~]/.test(head)).toBe(false);
		expect(unfold(head, 'subject')).toMatch(/^(=\?UTF-8\?[BQ]\?[^?]+\?=\s*)+$/i);
		expect(unfold(head, 'from')).toMatch(/^=\?UTF-8\?[BQ]\?[^?]+\?= <noreply@example\.cn>$/i);
		expect(unfold(head, 'to')).toMatch(/^=\?UTF-8\?[BQ]\?[^?]+\?= <lisi@example\.cn>$/i);
		const mail = received.mail[0]!;
		expect(mail.subject).toBe(message.subject);
		expect(mail.from?.value).toEqual([{ name: '签章通', address: 'noreply@example.cn' }]);
		const to = Array.isArray(mail.to) ? mail.to[0]! : mail.to!;
		expect(to.value).toEqual([{ name: '李四', address: 'lisi@example.cn' }]);
	});

	it('DKIM-signs the mail when configured, with a signature the published key verifies', async () => {
		const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const { port, received } = await startServer();
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, '签章通 <noreply@example.cn>', {
			dkim: {
				domainName: 'example.cn',
				keySelector: 'sealpass2026',
				privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
			}
		});
		await notifier.send(message);
		const raw = received.raw[0]!;
		const result = verifyDkim(raw, publicKey.export({ type: 'spki', format: 'der' }));
		expect(result).toMatchObject({
			d: 'example.cn',
			s: 'sealpass2026',
			bodyHash: true,
			signature: true
		});
		expect(result.signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date']));

		// The same check fails on a message altered after signing: the test can catch a bad signature.
		const tampered = Buffer.from(raw.toString('latin1').replace('123456', '654321'), 'latin1');
		expect(verifyDkim(tampered, publicKey.export({ type: 'spki', format: 'der' }))).toMatchObject({
			bodyHash: false
		});
		const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
		expect(verifyDkim(raw, otherKey.export({ type: 'spki', format: 'der' })).signature).toBe(false);
	});

	it('sends unsigned mail when DKIM is not configured', async () => {
		const { port, received } = await startServer();
		await new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'noreply@example.cn').send(message);
		expect(headerBlock(received.raw[0]!)).not.toMatch(/^dkim-signature:/im);
	});
});

/** The header block of a raw message, as sent. */
function headerBlock(raw: Buffer): string {
	const text = raw.toString('latin1');
	return text.slice(0, text.indexOf('\r\n\r\n'));
}

/** One header's value, unfolded (continuation lines joined), by name. */
function unfold(head: string, name: string): string {
	const match = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
	return (match?.[1] ?? '').replace(/\r\n[ \t]+/g, ' ');
}

/**
 * A DKIM check written from RFC 6376 (relaxed/relaxed, rsa-sha256), independent of nodemailer's
 * signer: the body hash over the relaxed body, and the RSA signature over the relaxed headers
 * named in h= followed by the DKIM-Signature header with an empty b=.
 */
function verifyDkim(raw: Buffer, spki: Buffer) {
	const text = raw.toString('latin1');
	const split = text.indexOf('\r\n\r\n');
	const headerLines = text.slice(0, split).split(/\r\n(?![ \t])/);
	const body = text.slice(split + 4);
	const dkimLine = headerLines.find((h) => /^dkim-signature:/i.test(h))!;
	const tags = Object.fromEntries(
		dkimLine
			.slice(dkimLine.indexOf(':') + 1)
			.replace(/\s+/g, '')
			.split(';')
			.filter(Boolean)
			.map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)])
	) as Record<string, string>;
	expect(tags.a).toBe('rsa-sha256');
	expect(tags.c).toBe('relaxed/relaxed');
	const relaxedBody =
		body
			.split('\r\n')
			.map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''))
			.join('\r\n')
			.replace(/(\r\n)*$/, '') + '\r\n';
	const bodyHash = createHash('sha256').update(relaxedBody, 'latin1').digest('base64') === tags.bh;
	const relaxedHeader = (line: string) => {
		const colon = line.indexOf(':');
		const value = line
			.slice(colon + 1)
			.replace(/\r\n/g, '')
			.replace(/[ \t]+/g, ' ')
			.trim();
		return `${line.slice(0, colon).trim().toLowerCase()}:${value}`;
	};
	const signed = tags.h!.split(':').map((h) => h.toLowerCase());
	const used = new Set<number>();
	const input: string[] = [];
	for (const name of signed) {
		// The last unused instance of the name, bottom up (RFC 6376 §5.4.2).
		for (let i = headerLines.length - 1; i >= 0; i--) {
			if (!used.has(i) && headerLines[i]!.toLowerCase().startsWith(`${name}:`)) {
				used.add(i);
				input.push(relaxedHeader(headerLines[i]!) + '\r\n');
				break;
			}
		}
	}
	input.push(relaxedHeader(dkimLine).replace(/(;\s*b=)[^;]*$/, '$1'));
	const signature = verify(
		'sha256',
		Buffer.from(input.join(''), 'latin1'),
		createPublicKey({ key: spki, format: 'der', type: 'spki' }),
		Buffer.from(tags.b!, 'base64')
	);
	return { d: tags.d, s: tags.s, signed, bodyHash, signature };
}
