// `/` is the service worker's navigation fallback, so it must exist as a static file.
export const prerender = true;
