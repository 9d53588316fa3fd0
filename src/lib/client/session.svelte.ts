import { api } from './api';
import type { Membership, SessionResponse, SessionUser } from '$lib/domain/api-types';
import type { RequestOf, SwitchBody } from '$lib/domain/api-requests';
import { enterOrganisation } from './device/organisation';

/**
 * A link of the app's navigation; `admin` marks the links only an admin can use, `sealKeeper`
 * the link a seal keeper (who is no admin) takes to the seal pages instead.
 */
export interface NavLink {
	href: string;
	label: string;
	icon: string;
	admin?: boolean;
	sealKeeper?: boolean;
}

/**
 * Whether the admin area is offered to a visitor. Not to a signer, where every page would only
 * refuse them; signed out (or not known yet, e.g. offline) it is, because the admin area is
 * also where an admin goes to sign in.
 */
export function offersAdmin(role: SessionUser['role'] | null): boolean {
	return role !== 'signer';
}

/** The links a visitor is offered: the admin's only when offersAdmin says so. */
export function navLinksFor(
	role: SessionUser['role'] | null,
	links: readonly NavLink[],
	sealKeeper = false
): NavLink[] {
	return links.filter((link) =>
		link.sealKeeper ? sealKeeper && role === 'signer' : !link.admin || offersAdmin(role)
	);
}

/**
 * Who is signed in, as rune state for the shell's navigation. Refreshed after each navigation
 * (signing in and out end in one), and kept as it was when the server cannot be reached, so an
 * offline signer's navigation does not change under them.
 */
class SessionState {
	user = $state<SessionUser | null>(null);
	/** The person's organisations (SPEC MO2); the switcher shows when there are two or more. */
	memberships = $state<Membership[]>([]);
	/** Whether the person has two or more organisations: the switcher shows, contracts name theirs. */
	severalOrganisations = $derived(this.memberships.length > 1);

	async refresh(fetcher: typeof fetch = fetch): Promise<void> {
		try {
			this.#apply(await api<SessionResponse>(fetcher, '/api/session'));
		} catch {
			// Offline or a failing server: what we last knew is still the best guess.
		}
	}

	/**
	 * Moves the session to another organisation of the person (MO3) and tells the device (MO8),
	 * which then lists and signs that organisation's contracts. Throws ApiError when refused.
	 */
	async switchTo(userId: string, fetcher: typeof fetch = fetch): Promise<void> {
		const answer = await api<SessionResponse>(fetcher, '/api/session/switch', {
			method: 'POST',
			json: { userId } satisfies RequestOf<typeof SwitchBody>
		});
		const entered = answer.memberships?.find((m) => m.current);
		if (entered) await enterOrganisation(entered.orgId);
		this.#apply(answer);
	}

	#apply(answer: SessionResponse) {
		this.user = answer.user;
		this.memberships = answer.memberships ?? [];
	}
}

export const session = new SessionState();
