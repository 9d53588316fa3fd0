import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { NotifyError, SmsNotifier, SmtpNotifier } from './notify';
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
});

describe('SMS', () => {
	it('refuses clearly until a provider is configured', async () => {
		await expect(new SmsNotifier().send()).rejects.toThrow(/SMS delivery is not configured/);
	});
});
