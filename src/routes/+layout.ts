// The app is a client-rendered shell: every route renders from precached code, so a route
// works with the network off. Data comes from /api (online) or the device (later: Dexie).
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
