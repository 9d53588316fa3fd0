import { describe, expect, it } from 'vitest';

import { localeFromLanguages } from './locale-match';

describe('localeFromLanguages', () => {
	it('maps every Chinese variant to zh-CN and English variants to en', () => {
		expect(localeFromLanguages(['zh-CN'])).toBe('zh-CN');
		expect(localeFromLanguages(['zh'])).toBe('zh-CN');
		expect(localeFromLanguages(['zh-TW', 'en'])).toBe('zh-CN');
		expect(localeFromLanguages(['en-GB', 'zh-CN'])).toBe('en');
	});

	it('skips languages we do not ship and answers nothing when none match', () => {
		expect(localeFromLanguages(['fr-FR', 'zh-Hans-CN'])).toBe('zh-CN');
		expect(localeFromLanguages(['de', 'fr'])).toBeUndefined();
		expect(localeFromLanguages([])).toBeUndefined();
	});
});
