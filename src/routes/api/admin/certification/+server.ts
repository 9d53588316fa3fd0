import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readForm } from '$lib/server/platform/http';
import { applyForCertification, certificationStatus } from '$lib/server/orgs';

/** Where the admin's organisation stands in 组织机构认证, with its latest application. */
export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	return json(await certificationStatus(certDeps(), user));
}

const text = (form: FormData, key: string) => {
	const value = form.get(key);
	return typeof value === 'string' ? value : '';
};

/**
 * 申请认证: multipart form with the fields and the licence file (`licence`). The consent field
 * carries the version of the privacy terms the applicant ticked, not a bare yes (SPEC OC1).
 */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const form = await readForm(request, 'LICENCE_TOO_LARGE');
	if (form instanceof Response) return form;
	const licence = form.get('licence');
	if (!(licence instanceof File)) return apiError('BAD_REQUEST', 'Expected a licence file');
	const result = await applyForCertification(
		certDeps(),
		user,
		{
			orgType: text(form, 'orgType'),
			name: text(form, 'name'),
			idNumber: text(form, 'idNumber'),
			representative: text(form, 'representative'),
			region: text(form, 'region'),
			privacyVersion: text(form, 'privacyVersion') || null
		},
		new Uint8Array(await licence.arrayBuffer())
	);
	if (!result.ok) return failureResponse(result);
	return json({ id: result.id, usccVerdict: result.usccVerdict }, { status: 201 });
}
