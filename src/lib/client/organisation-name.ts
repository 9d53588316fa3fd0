import { i18n } from './i18n.svelte';

/**
 * An organisation's name in the reader's language: the Chinese name under zh-CN, the English one
 * otherwise. One place, so the switcher, the inbox cards and the contract header never disagree.
 */
export function organisationName(names: { name: string; nameEn: string }): string {
	return i18n.locale === 'zh-CN' ? names.name : names.nameEn;
}

/** The organisation a device copy of a contract came from, or null for a copy without it. */
export function contractOrganisation(row: {
	sender?: { organisation: string; organisationEn: string };
}): string | null {
	return row.sender
		? organisationName({ name: row.sender.organisation, nameEn: row.sender.organisationEn })
		: null;
}
