// Background Sync for SealPass, imported into the generated service worker (vite.config.ts,
// workbox.importScripts). When the browser fires the 'sealpass-sync' sync (registered by a page
// whose outbox is waiting), the worker asks the open windows to run their sync engine and keeps
// the event alive until one reports the outbox empty. A failure makes the browser retry the sync
// later with its own back-off. With no window open nothing is uploaded here: the next app start,
// `online` or visibility trigger does it (see vite.config.ts for why the worker does not drain
// the outbox itself).
const SYNC_TAG = 'sealpass-sync';
const ASK_TIMEOUT_MS = 60_000;

function ask(client) {
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		const timer = setTimeout(() => resolve(null), ASK_TIMEOUT_MS);
		channel.port1.onmessage = (event) => {
			clearTimeout(timer);
			resolve(event.data);
		};
		client.postMessage({ type: 'sealpass:sync' }, [channel.port2]);
	});
}

async function askWindowsToSync() {
	const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
	if (windows.length === 0) return;
	const answers = await Promise.all(windows.map(ask));
	if (!answers.some((answer) => answer && answer.done)) {
		throw new Error('SealPass: the outbox is not empty yet');
	}
}

self.addEventListener('sync', (event) => {
	if (event.tag === SYNC_TAG) event.waitUntil(askWindowsToSync());
});
