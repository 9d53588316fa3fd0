import Dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { sms as tencentSms } from 'tencentcloud-sdk-nodejs-sms';
import { NotifyError, type Notifier, type NotifyMessage } from './notifier';
import { SMS_TEMPLATE_PARAMS, type SmsTemplate } from './sms-templates';

/** What an SMS provider is asked to send: a phone in E.164, a template id and its variables. */
export interface SmsRequest {
	phone: string;
	templateId: string;
	params: Record<string, string>;
}

/** One provider's API. Throws NotifyError naming the provider and its error code. */
export interface SmsProvider {
	readonly name: string;
	send(request: SmsRequest): Promise<void>;
}

/** The provider settings read from the environment (docs/messages.md). */
export interface SmsConfig {
	provider: 'aliyun' | 'tencent';
	keyId: string;
	keySecret: string;
	signName: string;
	/** Tencent's SmsSdkAppId; unused by Aliyun. */
	appId: string | null;
	/** Tencent's region (default ap-guangzhou); unused by Aliyun. */
	region: string;
	/** host[:port] of the API, or null for the provider's public endpoint; http:// only in tests. */
	endpoint: string | null;
	/** The approved template id per message kind; a kind without one cannot go by SMS. */
	templates: Partial<Record<SmsTemplate, string>>;
	/** Country code assumed for a number written without one (86: mainland China). */
	defaultCountry: string;
	timeoutMs: number;
}

/**
 * A contact's phone number in E.164 (+8613800000000). A number without + is read as national
 * to `defaultCountry` (a leading 0 trunk prefix dropped), which is how people type their own.
 */
export function toE164(phone: string, defaultCountry: string): string {
	const digits = phone.replace(/[^\d+]/g, '');
	if (digits.startsWith('+')) return digits;
	if (digits.startsWith('00')) return `+${digits.slice(2)}`;
	return `+${defaultCountry}${digits.replace(/^0/, '')}`;
}

/** The text of a provider's failure, never its credentials. */
function reason(error: unknown): string {
	if (error && typeof error === 'object') {
		const e = error as { code?: unknown; message?: unknown; data?: { Code?: unknown } };
		const code = e.code ?? e.data?.Code;
		const message = typeof e.message === 'string' ? e.message : String(error);
		return code && !message.includes(String(code)) ? `${String(code)}: ${message}` : message;
	}
	return String(error);
}

/**
 * Aliyun SMS (dysmsapi 2017-05-25, SendSms). Mainland numbers go without the +86 the API
 * accepts either way; others as country code + number, which is Aliyun's international form.
 * A refusal comes back as HTTP 200 with Code ≠ "OK" (e.g. isv.BUSINESS_LIMIT_CONTROL), or as
 * an HTTP error the SDK throws; both become NotifyError with Aliyun's code.
 */
export class AliyunSmsProvider implements SmsProvider {
	readonly name = 'Aliyun SMS';
	private readonly client: Dysmsapi;
	constructor(private readonly config: SmsConfig) {
		const local = config.endpoint?.startsWith('http://');
		this.client = new Dysmsapi(
			new $OpenApiUtil.Config({
				accessKeyId: config.keyId,
				accessKeySecret: config.keySecret,
				endpoint: (config.endpoint ?? 'dysmsapi.aliyuncs.com').replace(/^https?:\/\//, ''),
				protocol: local ? 'http' : 'https',
				connectTimeout: config.timeoutMs,
				readTimeout: config.timeoutMs
			})
		);
	}

	async send(request: SmsRequest): Promise<void> {
		const phone = request.phone.startsWith('+86') ? request.phone.slice(3) : request.phone.slice(1);
		let answer: { code?: string; message?: string; requestId?: string } | undefined;
		try {
			const response = await this.client.sendSms(
				new SendSmsRequest({
					phoneNumbers: phone,
					signName: this.config.signName,
					templateCode: request.templateId,
					templateParam: JSON.stringify(request.params)
				})
			);
			answer = response.body;
		} catch (error) {
			throw new NotifyError(`${this.name}: ${reason(error)}`, { cause: error });
		}
		if (answer?.code !== 'OK') {
			throw new NotifyError(
				`${this.name}: ${answer?.code ?? 'no answer'}: ${answer?.message ?? ''} (request ${answer?.requestId ?? '?'})`
			);
		}
	}
}

/**
 * Tencent Cloud SMS (2021-01-11, SendSms): numbers in E.164, variables as an ordered list.
 * Tencent answers a refused number inside SendStatusSet with Code ≠ "Ok" (the call itself
 * succeeds), and a refused call (bad signature, unknown template) as an error the SDK throws.
 */
export class TencentSmsProvider implements SmsProvider {
	readonly name = 'Tencent Cloud SMS';
	private readonly client: InstanceType<typeof tencentSms.v20210111.Client>;
	constructor(
		private readonly config: SmsConfig,
		private readonly order: (templateId: string) => readonly string[]
	) {
		const local = config.endpoint?.startsWith('http://');
		this.client = new tencentSms.v20210111.Client({
			credential: { secretId: config.keyId, secretKey: config.keySecret },
			region: config.region,
			profile: {
				httpProfile: {
					endpoint: (config.endpoint ?? 'sms.tencentcloudapi.com').replace(/^https?:\/\//, ''),
					protocol: local ? 'http://' : 'https://',
					reqTimeout: Math.ceil(config.timeoutMs / 1000)
				}
			}
		});
	}

	async send(request: SmsRequest): Promise<void> {
		let statuses: { Code?: string; Message?: string; PhoneNumber?: string }[] | undefined;
		let requestId: string | undefined;
		try {
			const response = await this.client.SendSms({
				PhoneNumberSet: [request.phone],
				SmsSdkAppId: this.config.appId ?? '',
				SignName: this.config.signName,
				TemplateId: request.templateId,
				TemplateParamSet: this.order(request.templateId).map((name) => request.params[name] ?? '')
			});
			statuses = response.SendStatusSet;
			requestId = response.RequestId;
		} catch (error) {
			throw new NotifyError(`${this.name}: ${reason(error)}`, { cause: error });
		}
		const status = statuses?.[0];
		if (status?.Code !== 'Ok') {
			throw new NotifyError(
				`${this.name}: ${status?.Code ?? 'no status'}: ${status?.Message ?? ''} (request ${requestId ?? '?'})`
			);
		}
	}
}

/** The provider a configuration names. */
export function createSmsProvider(config: SmsConfig): SmsProvider {
	if (config.provider === 'aliyun') return new AliyunSmsProvider(config);
	const byId = new Map(
		Object.entries(config.templates).map(([kind, id]) => [
			id,
			SMS_TEMPLATE_PARAMS[kind as SmsTemplate]
		])
	);
	return new TencentSmsProvider(config, (id) => byId.get(id) ?? []);
}

/**
 * Messages to phone numbers: the message's SMS form (template kind and variables) through the
 * configured provider. A message with no SMS form, or a kind with no approved template, is
 * refused with the variable to set, so it is never silently dropped.
 */
export class SmsNotifier implements Notifier {
	readonly channel = 'sms' as const;
	constructor(
		private readonly provider: SmsProvider,
		private readonly config: Pick<SmsConfig, 'templates' | 'defaultCountry'>
	) {}

	async send(message: NotifyMessage): Promise<void> {
		if (!message.sms) {
			throw new NotifyError(`${this.provider.name}: this message has no SMS template`);
		}
		const templateId = this.config.templates[message.sms.template];
		if (!templateId) {
			throw new NotifyError(
				`${this.provider.name}: no template for "${message.sms.template}" messages ` +
					`(set SMS_TEMPLATE_${message.sms.template.toUpperCase()})`
			);
		}
		await this.provider.send({
			phone: toE164(message.to, this.config.defaultCountry),
			templateId,
			params: message.sms.params
		});
	}
}
