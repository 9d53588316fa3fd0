// How the end-to-end tests and the benchmarks launch Chromium (which browser, which flags),
// written once.
import { existsSync } from 'node:fs';

/**
 * Debian's Chromium by default (Playwright cannot download its own browser here); CHROMIUM_PATH
 * names another. Undefined on a machine without /usr/bin/chromium: Playwright's own build.
 * @returns {string | undefined}
 */
export function chromiumExecutable() {
	return (
		process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
	);
}

/**
 * What Playwright itself passes as --disable-features (playwright-core's chromiumSwitches).
 * Chromium keeps only the last --disable-features switch, so ours must repeat Playwright's or
 * switch its features back on; chromium-flags.test.ts fails when Playwright's list has a feature
 * this one lacks (after a Playwright update).
 */
const PLAYWRIGHT_FEATURES_OFF = [
	'AvoidUnnecessaryBeforeUnloadCheckSync',
	'DestroyProfileOnBrowserClose',
	'HttpsUpgrades',
	'HttpsFirstBalancedModeAutoEnable',
	'LensOverlay',
	'MediaRouter',
	'PaintHolding',
	'ThirdPartyStoragePartitioning',
	'AvoidCorsURLLoaderRestartOnRedirect',
	'TcpPortRandomizationWin',
	'OptimizationHints',
	'NetworkTimeServiceQuerying',
	'AimEnabled',
	'PreconnectToSearch',
	'msForceBrowserSignIn',
	'msEdgeUpdateLaunchServicesPreferredVersion'
];

/**
 * Features of Chromium's own UI, off. For every new window the browser preloads its omnibox popup,
 * a WebUI page of some 200 files, in a renderer of its own, which kept one of two cores busy for
 * about a second after each new page: it slowed every end-to-end test, and in the benchmarks it
 * ran inside every measured navigation (docs/perf.md). All four are needed: with any one alone
 * the renderer stays.
 */
export const BROWSER_UI_FEATURES_OFF = [
	'PreloadTopChromeWebUI',
	'WebUIOmniboxPopup',
	'WebUIOmniboxFullPopup',
	'WebUIOmniboxAimPopup'
];

/** No sandbox (CI runs as root), no GPU, no QUIC, and no background work of the browser's own. */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	`--disable-features=${[...PLAYWRIGHT_FEATURES_OFF, ...BROWSER_UI_FEATURES_OFF].join(',')}`
];
