import {
	defineCustomClientStrategy,
	getLocale,
	setLocale,
	locales,
	type Locale
} from '$lib/paraglide/runtime';
import { localeFromLanguages } from './locale-match';

defineCustomClientStrategy('custom-browser', {
	getLocale: () =>
		typeof navigator === 'undefined' ? undefined : localeFromLanguages(navigator.languages ?? []),
	setLocale: () => {}
});

/**
 * The current locale as rune state, so the shell can re-render in place when the user switches
 * language instead of reloading the page (a reload would drop unsaved work).
 */
class I18nState {
	locale = $state<Locale>(getLocale());

	/** Switches language and persists the choice (Paraglide's localStorage strategy). */
	set(locale: Locale) {
		setLocale(locale, { reload: false });
		this.locale = locale;
		document.documentElement.lang = locale;
	}
}

export const i18n = new I18nState();
export { locales };
export type { Locale };
