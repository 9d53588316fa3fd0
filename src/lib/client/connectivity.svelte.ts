/**
 * Whether the browser believes it is online, as rune state. navigator.onLine can say "online"
 * on a captive network; it is a hint for the UI, never a reason to skip a sync attempt.
 */
class Connectivity {
	online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

	constructor() {
		if (typeof window === 'undefined') return;
		window.addEventListener('online', () => (this.online = true));
		window.addEventListener('offline', () => (this.online = false));
	}
}

export const connectivity = new Connectivity();
