/**
 * Browser side of a seal from a photo (方式二): the chosen file is checked by its bytes before it
 * is decoded, the crop is read off a canvas, and the seal PNG is made here, so the photo itself
 * (which may show more than the seal) never leaves the device.
 */
import { inspectImage, sniffImageType } from '$lib/pdf/images';
import type { CropBox } from '$lib/domain/crop-box';
import { PHOTO_MAX_BYTES, PHOTO_SEAL_OUTPUT_MAX_PX } from '$lib/domain/seal-photo';

/** Why a chosen file cannot be used, each with its own message on the page. */
export type PhotoRefusal = 'too-big' | 'too-many-pixels' | 'not-image' | 'undecodable';

export type PhotoReading = { ok: true; photo: ImageBitmap } | { ok: false; reason: PhotoRefusal };

/**
 * Reads a chosen photo (SPEC SP: JPG/PNG ≤ 5 MB by magic bytes). The size is judged before a
 * byte is read and the magic bytes and structure before anything is decoded, so a renamed PDF or
 * a 50 MB file is refused at once with its own message and a truncated file never reaches the
 * decoder; what the decoder still cannot read is `undecodable`.
 */
export async function readPhoto(file: Blob): Promise<PhotoReading> {
	if (file.size > PHOTO_MAX_BYTES) return { ok: false, reason: 'too-big' };
	const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
	const type = sniffImageType(head);
	if (!type) return { ok: false, reason: 'not-image' };
	const bytes = new Uint8Array(await file.arrayBuffer());
	const inspection = inspectImage(bytes, { maxBytes: PHOTO_MAX_BYTES });
	if (!inspection.ok)
		return {
			ok: false,
			reason: inspection.code === 'IMAGE_TOO_LARGE' ? 'too-many-pixels' : 'undecodable'
		};
	try {
		// The file's own type, not the name's: a JPEG named .png still decodes as a JPEG.
		const photo = await createImageBitmap(new Blob([bytes], { type: `image/${type}` }), {
			imageOrientation: 'from-image'
		});
		return { ok: true, photo };
	} catch {
		return { ok: false, reason: 'undecodable' };
	}
}

/**
 * The pixels of the crop box scaled to `width` × `height`, smoothed when scaled down so a
 * downscaled photo looks as it will print. Why a canvas: it is the browser's own resampler,
 * and getImageData gives the RGBA array the domain rules (SP1–SP4) work on.
 */
export function cropPixels(
	photo: CanvasImageSource,
	box: CropBox,
	width: number,
	height: number
): ImageData {
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const context = canvas.getContext('2d', { willReadFrequently: true });
	if (!context) throw new Error('No 2D canvas');
	context.imageSmoothingEnabled = true;
	context.imageSmoothingQuality = 'high';
	context.drawImage(photo, box.x, box.y, box.width, box.height, 0, 0, width, height);
	return context.getImageData(0, 0, width, height);
}

/**
 * Output size of the seal PNG: the crop's own resolution, scaled down only past
 * PHOTO_SEAL_OUTPUT_MAX_PX on the longer side (SP6), keeping its proportions.
 */
export function outputSize(box: CropBox): { width: number; height: number } {
	const scale = Math.min(1, PHOTO_SEAL_OUTPUT_MAX_PX / Math.max(box.width, box.height));
	return {
		width: Math.max(1, Math.round(box.width * scale)),
		height: Math.max(1, Math.round(box.height * scale))
	};
}

/** Encodes RGBA pixels as a PNG (with its alpha channel) through canvas.toBlob. */
export function pngOf(pixels: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const context = canvas.getContext('2d');
	if (!context) return Promise.reject(new Error('No 2D canvas'));
	context.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
	return new Promise((resolve, reject) =>
		canvas.toBlob(
			(blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed'))),
			'image/png'
		)
	);
}
