/**
 * Hands bytes the page holds to the browser as a download named `name`, without the network:
 * a Blob URL on a temporary link with the download attribute. The URL is revoked a minute later,
 * not at once: revoking right after the click can cancel a download the browser has not started.
 */
export function saveBlob(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.hidden = true;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
