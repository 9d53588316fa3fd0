import { registerSW } from 'virtual:pwa-register';

interface BeforeInstallPromptEvent extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/** iOS Safari never fires beforeinstallprompt; users there must add the app by hand. */
function needsIosHint(): boolean {
	const ua = navigator.userAgent;
	const ios =
		/iPad|iPhone|iPod/.test(ua) || (ua.includes('Macintosh') && navigator.maxTouchPoints > 1);
	const standalone =
		window.matchMedia('(display-mode: standalone)').matches ||
		(navigator as Navigator & { standalone?: boolean }).standalone === true;
	return ios && !standalone;
}

const IOS_HINT_DISMISSED = 'sealpass.iosHintDismissed';

/**
 * Service-worker registration, install prompt and update state for the shell. An update is only
 * ever applied when the user presses reload, so a half-drawn signature is never lost to it.
 */
class PwaState {
	needRefresh = $state(false);
	offlineReady = $state(false);
	canInstall = $state(false);
	showIosHint = $state(false);
	private installEvent: BeforeInstallPromptEvent | null = null;
	private updateSW: ((reload?: boolean) => Promise<void>) | null = null;
	private started = false;

	/** Listens for install offers; safe to call twice. Registration is `register`'s. */
	start() {
		if (this.started || typeof window === 'undefined') return;
		this.started = true;
		window.addEventListener('beforeinstallprompt', (event) => {
			event.preventDefault();
			this.installEvent = event as BeforeInstallPromptEvent;
			this.canInstall = true;
		});
		window.addEventListener('appinstalled', () => {
			this.installEvent = null;
			this.canInstall = false;
		});
		this.showIosHint = needsIosHint() && localStorage.getItem(IOS_HINT_DISMISSED) !== '1';
	}

	/**
	 * Registers the service worker; safe to call twice. Apart from `start` because the layout
	 * calls it once the first screen is shown (first-screen.ts): registering checks /sw.js for an
	 * update and, after a release, downloads the whole precache.
	 */
	register() {
		if (this.updateSW || typeof window === 'undefined') return;
		this.updateSW = registerSW({
			immediate: true,
			onNeedRefresh: () => (this.needRefresh = true),
			onOfflineReady: () => (this.offlineReady = true)
		});
	}

	async install() {
		const event = this.installEvent;
		if (!event) return;
		await event.prompt();
		await event.userChoice;
		this.installEvent = null;
		this.canInstall = false;
	}

	dismissIosHint() {
		localStorage.setItem(IOS_HINT_DISMISSED, '1');
		this.showIosHint = false;
	}

	/** Activates the waiting service worker and reloads; only on the user's request. */
	async applyUpdate() {
		await this.updateSW?.(true);
	}

	dismissUpdate() {
		this.needRefresh = false;
	}
}

export const pwa = new PwaState();
