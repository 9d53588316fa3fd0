import { m } from '$lib/paraglide/messages';
import { isPastDeadline } from '$lib/domain/deadline';
import { formatDateTime } from './i18n.svelte';

/**
 * The deadline line a signer reads on a contract (SPEC DL1, DL2): when signing closes, in their
 * own time zone and language, or that it has closed. Null when the contract has none (or the
 * device copy predates deadlines).
 */
export function deadlineLabel(deadlineAt: string | null | undefined, now: Date): string | null {
	if (!deadlineAt) return null;
	const when = formatDateTime(deadlineAt);
	return isPastDeadline(deadlineAt, now)
		? m.deadline_closed({ when })
		: m.deadline_sign_by({ when });
}
