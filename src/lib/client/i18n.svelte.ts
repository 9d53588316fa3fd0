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

/**
 * A moment in the interface's language. 'medium' shows seconds, for the admin's audit and review
 * pages where the order of events within a minute matters; the signer's pages use 'short'.
 * Reads i18n.locale, so a template that calls it re-renders on a language switch.
 */
export function formatDateTime(iso: string, time: 'short' | 'medium' = 'short'): string {
	return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: time }).format(
		Date.parse(iso)
	);
}
/**
 * A share as a whole-number percent, the way both interface languages write it ("125%"). Not
 * Intl.NumberFormat's percent style: creating it is slow the first time, and the zoom label asks
 * for it while a contract's first page is opening (docs/perf.md).
 */
export function formatPercent(share: number): string {
	return `${Math.round(share * 100)}%`;
}
export { locales };
export type { Locale };
