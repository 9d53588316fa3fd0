import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { inviteSentNote } from './invites';
import { formatDateTime } from '../i18n.svelte';

describe('inviteSentNote', () => {
	it('tells the admin how long, and until when, the link and code work', () => {
		const expiresAt = '2026-03-01T08:10:00.000Z';
		const time = formatDateTime(expiresAt);
		expect(inviteSentNote({ expiresAt })).toContain(
			`The link and code work for 10 minutes, until ${time}.`
		);
		// The Chinese text takes the same parameters (node's locale here is the base one).
		expect(m.invites_created({ minutes: 10, time }, { locale: 'zh-CN' })).toContain(
			`链接和验证码 10 分钟内有效（至 ${time}）`
		);
	});
});
