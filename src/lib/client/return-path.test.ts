import { describe, expect, it } from 'vitest';
import { returnPath } from './return-path';

describe('returnPath', () => {
	it('keeps a path on this site, with its query and hash', () => {
		expect(returnPath('/inbox/abc-123')).toBe('/inbox/abc-123');
		expect(returnPath('/inbox/abc?x=1#f')).toBe('/inbox/abc?x=1#f');
	});

	it('ignores anything that could leave the site', () => {
		for (const next of [
			'//evil.example/x',
			'https://evil.example/',
			'/\\evil.example',
			'inbox',
			'',
			null
		]) {
			expect(returnPath(next)).toBeNull();
		}
	});
});
