// The names the confirmation, the sync engine, the service worker and the tab lock agree on,
// written once: a typo in one copy would leave an outbox row waiting for a signal that never comes.

/** Window event the confirmation dispatches after committing an outbox row. */
export const OUTBOX_EVENT = 'sealpass:outbox';
/** The Background Sync tag a page registers when its outbox waits. */
export const BACKGROUND_SYNC_TAG = 'sealpass-sync';
/** The message the service worker posts to windows when the browser fires that sync. */
export const SW_SYNC_MESSAGE = 'sealpass:sync';
/** The Web Lock one tab holds while it syncs (its own name, not the Background Sync tag's). */
export const SYNC_LOCK = 'sealpass:sync-lock';
