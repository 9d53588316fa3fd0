// Prerendered so the service worker precaches the page itself: a stranger who scanned the
// certificate's QR code once can verify later with the network off. Client-rendered like the
// rest of the app (the layout's ssr = false), so the shell is all the prerendered file holds.
export const prerender = true;
