/**
 * SMS by template. Chinese providers send only text from a template approved in advance, and
 * refuse a link as a variable, so every SMS is one of these fixed templates: the approved text
 * holds the server's domain and path, the variables only short values (a code, a token, minutes).
 * The order is the one Tencent numbers its {1}, {2}… by; Aliyun takes the same names as ${name}.
 */
export const SMS_TEMPLATE_PARAMS = {
	/** e.g. 您被邀请使用签章通：打开 https://sign.example.cn/invite/${token} 输入验证码 ${code}，${minutes} 分钟内有效。 */
	invite: ['code', 'token', 'minutes'],
	/**
	 * A re-enrolment link: its own text, since the invitation's 您被邀请 would tell a member who
	 * lost their passkey that they are being invited anew.
	 * e.g. 您的签章通账户可重新绑定设备：打开 https://sign.example.cn/invite/${token} 输入验证码 ${code}，${minutes} 分钟内有效。
	 */
	recovery: ['code', 'token', 'minutes'],
	/** e.g. 您的签章通验证码 ${code}，${minutes} 分钟内有效，请勿告诉他人。 */
	code: ['code', 'minutes'],
	/** e.g. 您在签章通有合同待处理，请打开 https://sign.example.cn/inbox 查看。 */
	notice: []
} as const satisfies Record<string, readonly string[]>;

export type SmsTemplate = keyof typeof SMS_TEMPLATE_PARAMS;
export const SMS_TEMPLATES = Object.keys(SMS_TEMPLATE_PARAMS) as SmsTemplate[];
