import { getApp } from '$lib/server/app';
import { requireAdmin } from '$lib/server/guards';
import { apiError } from '$lib/server/http';
import { reviewImage } from '$lib/server/review';

export async function GET({ locals, params }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const image = await reviewImage(getApp(), params.hash);
	if (!image) return apiError('NOT_FOUND', 'No such image');
	return new Response(image.stream, {
		headers: {
			'Content-Type': image.mediaType,
			'Content-Length': String(image.size),
			// The bytes under a hash never change, but access needs the admin session each time.
			'Cache-Control': 'private, no-cache',
			ETag: `"${params.hash}"`
		}
	});
}
