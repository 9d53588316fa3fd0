import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { encodeHeaderWord, SmsNotifier, SmtpNotifier } from './notify';

/**
 * A tiny SMTP server on 127.0.0.1 that records the conversation. `refuse` makes it answer one
 * command with an error, to prove the client stops there.
 */
async function fakeSmtp(options: { refuse?: string } = {}) {
	const lines: string[] = [];
	let data = '';
	const server: Server = createServer((socket) => {
		socket.setEncoding('utf8');
		let buffer = '';
		let inData = false;
		socket.write('220 fake.smtp ESMTP\r\n');
		socket.on('data', (chunk: string) => {
			buffer += chunk;
			let end;
			while ((end = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				if (inData) {
					if (line === '.') {
						inData = false;
						socket.write('250 2.0.0 queued\r\n');
					} else data += `${line}\r\n`;
					continue;
				}
				lines.push(line);
				const verb = line.split(/[ :]/)[0]!.toUpperCase();
				if (options.refuse === verb) socket.write('550 5.7.1 refused\r\n');
				else if (verb === 'EHLO')
					socket.write('250-fake.smtp\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n');
				else if (verb === 'AUTH') socket.write('235 2.7.0 ok\r\n');
				else if (verb === 'MAIL' || verb === 'RCPT') socket.write('250 ok\r\n');
				else if (verb === 'DATA') {
					inData = true;
					socket.write('354 go ahead\r\n');
				} else if (verb === 'QUIT') socket.end('221 bye\r\n');
				else socket.write('502 unknown\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	return { port: (server.address() as AddressInfo).port, lines, data: () => data };
}

const servers: Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const message = {
	to: 'lisi@example.cn',
	subject: '签章通邀请 / Your SealPass invitation',
	body: '李四，您好！请打开 https://sign.example.cn/invite/abc 并输入验证码 123456。\n.leading dot'
};

describe('SmtpNotifier', () => {
	it('speaks EHLO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA, QUIT and sends the link and code', async () => {
		const smtp = await fakeSmtp();
		const notifier = new SmtpNotifier(
			`smtp://mailer%40example.cn:p%40ss@127.0.0.1:${smtp.port}`,
			'签章通 <noreply@example.cn>'
		);
		await notifier.send(message);
		const verbs = smtp.lines.map((l) => l.split(/[ :]/)[0]);
		expect(verbs).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
		const auth = smtp.lines[1]!.split(' ');
		expect(auth.slice(0, 2)).toEqual(['AUTH', 'PLAIN']);
		expect(Buffer.from(auth[2]!, 'base64').toString()).toBe('\0mailer@example.cn\0p@ss');
		expect(smtp.lines[2]).toBe('MAIL FROM:<noreply@example.cn>');
		expect(smtp.lines[3]).toBe('RCPT TO:<lisi@example.cn>');

		const [head, body] = smtp.data().split('\r\n\r\n');
		expect(head).toContain('To: <lisi@example.cn>');
		expect(head).toContain('Content-Type: text/plain; charset=UTF-8');
		const subject = /Subject: ([\s\S]*?)\r\n(?! )/.exec(head + '\r\n')![1]!;
		const decoded = subject
			.split(/\r\n /)
			.map((w) => Buffer.from(/=\?UTF-8\?B\?(.*)\?=/.exec(w)![1]!, 'base64').toString())
			.join('');
		expect(decoded).toBe(message.subject);
		const text = Buffer.from(body!.replace(/\r\n/g, ''), 'base64').toString();
		expect(text).toContain('https://sign.example.cn/invite/abc');
		expect(text).toContain('123456');
		expect(text).toContain('\r\n.leading dot');
	});

	it('skips AUTH without credentials and reports a refusal with the server reply', async () => {
		const smtp = await fakeSmtp({ refuse: 'RCPT' });
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${smtp.port}`, 'noreply@example.cn');
		await expect(notifier.send(message)).rejects.toThrow(/RCPT TO refused: 550/);
		expect(smtp.lines.map((l) => l.split(/[ :]/)[0])).toEqual(['EHLO', 'MAIL', 'RCPT']);
	});

	it('names the server when it cannot connect', async () => {
		const smtp = await fakeSmtp();
		await new Promise((r) => servers.pop()!.close(r));
		const notifier = new SmtpNotifier(`smtp://127.0.0.1:${smtp.port}`, 'noreply@example.cn');
		await expect(notifier.send(message)).rejects.toThrow(/127\.0\.0\.1/);
	});
});

describe('header encoding and SMS', () => {
	it('encodes UTF-8 subjects as RFC 2047 words of at most 75 characters', () => {
		expect(encodeHeaderWord('Plain ASCII')).toBe('Plain ASCII');
		const words = encodeHeaderWord('签'.repeat(40)).split('\r\n ');
		expect(words.length).toBeGreaterThan(1);
		for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
	});

	it('SMS refuses clearly until a provider is configured', async () => {
		await expect(new SmsNotifier().send()).rejects.toThrow(/SMS delivery is not configured/);
	});
});
