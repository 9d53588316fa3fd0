/**
 * The browser's preference mapped onto our two locales: any Chinese variant gets zh-CN (the only
 * Chinese we ship), any English gets en; the first language we can serve wins.
 */
export function localeFromLanguages(languages: readonly string[]): 'zh-CN' | 'en' | undefined {
	for (const tag of languages) {
		const base = tag.toLowerCase().split('-')[0];
		if (base === 'zh') return 'zh-CN';
		if (base === 'en') return 'en';
	}
	return undefined;
}
