import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyError } from './notify';
import { createSmsProvider, SmsNotifier, toE164, type SmsConfig } from './sms';
import { loadConfig } from './config';
import { inviteMessage } from '../auth';

/**
 * A local stand-in for the provider's API, started by each test: the real SDK signs and sends
 * its request here, the test asserts what the provider would have received and chooses its
 * answer. Nothing of the SDK is mocked.
 */
interface Seen {
	method: string;
	url: URL;
	headers: IncomingHttpHeaders;
	body: string;
}
const servers: Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function fakeApi(answer: (seen: Seen) => { status?: number; json: unknown }) {
	const seen: Seen[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (chunk: string) => (body += chunk));
		req.on('end', () => {
			const request = {
				method: req.method ?? '',
				url: new URL(req.url ?? '/', 'http://local'),
				headers: req.headers,
				body
			};
			seen.push(request);
			const { status = 200, json } = answer(request);
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(json));
		});
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return { seen, endpoint: `http://127.0.0.1:${port}` };
}

function config(provider: SmsConfig['provider'], endpoint: string): SmsConfig {
	return {
		provider,
		keyId: 'AKID-test',
		keySecret: 'secret-never-sent',
		signName: '签章通',
		appId: '1400000001',
		region: 'ap-guangzhou',
		endpoint,
		templates: { invite: 'SMS_INVITE_1', code: 'SMS_CODE_2', recovery: 'SMS_RECOVERY_3' },
		defaultCountry: '86',
		timeoutMs: 5_000
	};
}

const invite = {
	to: '138 0013 8000',
	subject: 'ignored by SMS',
	body: 'ignored by SMS',
	sms: {
		template: 'invite' as const,
		params: { code: '012345', token: 'AbC-dEf_123', minutes: '10' }
	}
};

describe('toE164', () => {
	it('reads national numbers under the default country and keeps international ones', () => {
		expect(toE164('13800138000', '86')).toBe('+8613800138000');
		expect(toE164('+85291234567', '86')).toBe('+85291234567');
		expect(toE164('0085291234567', '86')).toBe('+85291234567');
		expect(toE164('07700900123', '44')).toBe('+447700900123');
	});
});

describe('Aliyun SMS adapter', () => {
	it('sends SendSms with the sign name, template code, national number and JSON variables', async () => {
		const api = await fakeApi(() => ({
			json: { Code: 'OK', Message: 'OK', BizId: 'biz-1', RequestId: 'req-1' }
		}));
		const cfg = config('aliyun', api.endpoint);
		await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite);
		expect(api.seen).toHaveLength(1);
		const [request] = api.seen;
		expect(request!.headers['x-acs-action']).toBe('SendSms');
		expect(request!.headers['x-acs-version']).toBe('2017-05-25');
		expect(request!.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=AKID-test,/);
		expect(JSON.stringify(request)).not.toContain('secret-never-sent');
		const q = request!.url.searchParams;
		expect(q.get('PhoneNumbers')).toBe('13800138000');
		expect(q.get('SignName')).toBe('签章通');
		expect(q.get('TemplateCode')).toBe('SMS_INVITE_1');
		expect(JSON.parse(q.get('TemplateParam')!)).toEqual({
			code: '012345',
			token: 'AbC-dEf_123',
			minutes: '10'
		});
	});

	it('reports a refusal in the answer (Code ≠ OK) with Aliyun’s code and message', async () => {
		const api = await fakeApi(() => ({
			json: {
				Code: 'isv.BUSINESS_LIMIT_CONTROL',
				Message: '触发小时级流控Permits:5',
				RequestId: 'req-2'
			}
		}));
		const cfg = config('aliyun', api.endpoint);
		const error = await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite).catch((e) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toBe(
			'Aliyun SMS: isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控Permits:5 (request req-2)'
		);
	});

	it('reports an HTTP error from the API with Aliyun’s error code', async () => {
		const api = await fakeApi(() => ({
			status: 400,
			json: { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' }
		}));
		const cfg = config('aliyun', api.endpoint);
		const error = await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite).catch((e) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(/^Aliyun SMS: .*InvalidAccessKeyId\.NotFound/);
		expect((error as Error).message).not.toContain('secret-never-sent');
	});
});

describe('Tencent Cloud SMS adapter', () => {
	it('sends SendSms with the app id, sign name, template id, E.164 number and ordered variables', async () => {
		const api = await fakeApi(() => ({
			json: {
				Response: {
					SendStatusSet: [{ Code: 'Ok', Message: 'send success', PhoneNumber: '+8613800138000' }],
					RequestId: 'req-3'
				}
			}
		}));
		const cfg = config('tencent', api.endpoint);
		await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite);
		expect(api.seen).toHaveLength(1);
		const [request] = api.seen;
		expect(request!.headers['x-tc-action']).toBe('SendSms');
		expect(request!.headers['x-tc-version']).toBe('2021-01-11');
		expect(request!.headers['x-tc-region']).toBe('ap-guangzhou');
		expect(request!.headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKID-test\//);
		expect(JSON.parse(request!.body)).toEqual({
			PhoneNumberSet: ['+8613800138000'],
			SmsSdkAppId: '1400000001',
			SignName: '签章通',
			TemplateId: 'SMS_INVITE_1',
			// {1} code, {2} token, {3} minutes: the order the approved template numbers them.
			TemplateParamSet: ['012345', 'AbC-dEf_123', '10']
		});
	});

	it('reports a refused number (SendStatusSet Code ≠ Ok) with Tencent’s code', async () => {
		const api = await fakeApi(() => ({
			json: {
				Response: {
					SendStatusSet: [
						{
							Code: 'LimitExceeded.PhoneNumberDailyLimit',
							Message:
								'the number of sms messages sent from a single mobile number every day exceeds the upper limit',
							PhoneNumber: '+8613800138000'
						}
					],
					RequestId: 'req-4'
				}
			}
		}));
		const cfg = config('tencent', api.endpoint);
		const error = await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite).catch((e) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(
			/^Tencent Cloud SMS: LimitExceeded\.PhoneNumberDailyLimit: .* \(request req-4\)$/
		);
	});

	it('reports a refused call (Response.Error) with Tencent’s code', async () => {
		const api = await fakeApi(() => ({
			json: {
				Response: {
					Error: { Code: 'FailedOperation.TemplateIncorrectOrUnapproved', Message: '模版未审批' },
					RequestId: 'req-5'
				}
			}
		}));
		const cfg = config('tencent', api.endpoint);
		const error = await new SmsNotifier(createSmsProvider(cfg), cfg).send(invite).catch((e) => e);
		expect(error).toBeInstanceOf(NotifyError);
		expect((error as Error).message).toMatch(
			/^Tencent Cloud SMS: .*FailedOperation\.TemplateIncorrectOrUnapproved/
		);
		expect((error as Error).message).toContain('模版未审批');
	});
});

/** A re-enrolment message as recovery/issue.ts queues it (the phone it goes to included). */
const recovery = {
	to: '13800138000',
	...inviteMessage(
		{
			name: '李雷',
			link: 'https://sign.example.cn/invite/AbC-dEf_123',
			code: '012345',
			token: 'AbC-dEf_123'
		},
		'recover'
	)
};

describe('re-enrolment links by SMS', () => {
	it('go out under their own Aliyun template, not the invitation’s', async () => {
		const api = await fakeApi(() => ({ json: { Code: 'OK', Message: 'OK', RequestId: 'r' } }));
		const cfg = config('aliyun', api.endpoint);
		await new SmsNotifier(createSmsProvider(cfg), cfg).send(recovery);
		const q = api.seen[0]!.url.searchParams;
		expect(q.get('TemplateCode')).toBe('SMS_RECOVERY_3');
		expect(JSON.parse(q.get('TemplateParam')!)).toEqual({
			code: '012345',
			token: 'AbC-dEf_123',
			minutes: '10'
		});
	});

	it('go out under their own Tencent template with the variables in its order', async () => {
		const api = await fakeApi(() => ({
			json: { Response: { SendStatusSet: [{ Code: 'Ok' }], RequestId: 'r' } }
		}));
		const cfg = config('tencent', api.endpoint);
		await new SmsNotifier(createSmsProvider(cfg), cfg).send(recovery);
		expect(JSON.parse(api.seen[0]!.body)).toMatchObject({
			TemplateId: 'SMS_RECOVERY_3',
			TemplateParamSet: ['012345', 'AbC-dEf_123', '10']
		});
	});

	it('are refused, naming SMS_TEMPLATE_RECOVERY, rather than sent as an invitation', async () => {
		const api = await fakeApi(() => ({ json: {} }));
		const cfg = { ...config('aliyun', api.endpoint), templates: { invite: 'SMS_INVITE_1' } };
		await expect(new SmsNotifier(createSmsProvider(cfg), cfg).send(recovery)).rejects.toThrow(
			/no template for "recovery" messages \(set SMS_TEMPLATE_RECOVERY\)/
		);
		expect(api.seen).toEqual([]);
	});
});

describe('SmsNotifier', () => {
	it('refuses a kind of message that has no approved template, naming the variable to set', async () => {
		const api = await fakeApi(() => ({ json: {} }));
		const cfg = config('aliyun', api.endpoint);
		const notifier = new SmsNotifier(createSmsProvider(cfg), cfg);
		await expect(
			notifier.send({ ...invite, sms: { template: 'notice', params: {} } })
		).rejects.toThrow(/no template for "notice" messages \(set SMS_TEMPLATE_NOTICE\)/);
		expect(api.seen).toEqual([]);
	});
});

describe('SMS configuration', () => {
	const base = {
		SMS_PROVIDER: 'tencent',
		SMS_KEY_ID: 'id',
		SMS_KEY_SECRET: 'key',
		SMS_SIGN_NAME: '签章通',
		SMS_TEMPLATE_INVITE: '449739',
		SMS_TEMPLATE_RECOVERY: '449741',
		SMS_APP_ID: '1400000001'
	};
	it('reads the provider, its keys and the templates', () => {
		const sms = loadConfig({ ...base, SMS_TEMPLATE_CODE: '449740' }).sms;
		expect(sms).toMatchObject({
			provider: 'tencent',
			appId: '1400000001',
			region: 'ap-guangzhou',
			templates: { invite: '449739', code: '449740', recovery: '449741' },
			defaultCountry: '86',
			endpoint: null
		});
		expect(loadConfig({}).sms).toBeNull();
	});
	it('names what is missing or wrong', () => {
		expect(() => loadConfig({ ...base, SMS_APP_ID: '' })).toThrow(/needs SMS_APP_ID/);
		expect(() => loadConfig({ ...base, SMS_PROVIDER: 'twilio' })).toThrow(/aliyun or tencent/);
		expect(() => loadConfig({ SMS_PROVIDER: 'aliyun' })).toThrow(
			/needs SMS_KEY_ID, SMS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE_INVITE, SMS_TEMPLATE_RECOVERY/
		);
		expect(() => loadConfig({ ...base, SMS_TEMPLATE_RECOVERY: '' })).toThrow(
			/needs SMS_TEMPLATE_RECOVERY/
		);
	});
});
