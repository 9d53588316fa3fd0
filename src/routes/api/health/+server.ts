import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { checkHealth } from '$lib/server/platform/health';

export async function GET() {
	const report = await checkHealth(getApp());
	return json(report, { status: report.status === 'ok' ? 200 : 503 });
}
