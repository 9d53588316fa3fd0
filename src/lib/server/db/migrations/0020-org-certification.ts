import { sql, type Kysely } from 'kysely';

/*
 * Organisation certification (组织机构认证). An organisation carries its certification state;
 * each application keeps its fields, its licence (a blob), the privacy consent, the chosen
 * verification method and its evidence. The platform-pays deposit keeps only a hash of the
 * amount. Transfers of the simulated bank are rows of their own, so the operator page can show
 * them and a real adapter never touches them.
 *
 * Organisations that exist before this migration have been making and stamping seals: they are
 * marked certified, so an upgrade does not stop a working installation. New ones start
 * uncertified (the demo seed says otherwise for its own).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('organisations')
		.addColumn('cert_state', 'text', (c) =>
			c
				.notNull()
				.defaultTo('uncertified')
				.check(sql`cert_state in ('uncertified', 'pending', 'certified', 'rejected')`)
		)
		.execute();
	await db.schema.alterTable('organisations').addColumn('certified_at', 'text').execute();
	await db.updateTable('organisations').set({ cert_state: 'certified' }).execute();

	await db.schema
		.createTable('org_cert_applications')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
		.addColumn('state', 'text', (c) =>
			c.notNull().check(sql`state in ('pending', 'certified', 'rejected')`)
		)
		.addColumn('org_type', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('id_number', 'text', (c) => c.notNull())
		.addColumn('representative', 'text', (c) => c.notNull())
		.addColumn('region', 'text')
		.addColumn('uscc_verdict', 'text', (c) => c.notNull())
		.addColumn('licence_hash', 'text', (c) => c.notNull())
		.addColumn('licence_type', 'text', (c) => c.notNull())
		.addColumn('privacy_version', 'text', (c) => c.notNull())
		.addColumn('privacy_agreed_at', 'text', (c) => c.notNull())
		.addColumn('applicant_id', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('method', 'text')
		.addColumn('bank_name', 'text')
		.addColumn('bank_branch', 'text')
		.addColumn('bank_account', 'text')
		.addColumn('bank_cnaps', 'text')
		.addColumn('deposit_hash', 'text')
		.addColumn('deposit_sent_at', 'text')
		.addColumn('deposit_tries', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('remark_code', 'text')
		.addColumn('payment_received_at', 'text')
		.addColumn('letter_hash', 'text')
		.addColumn('letter_type', 'text')
		.addColumn('verified_at', 'text')
		.addColumn('decided_at', 'text')
		.addColumn('decided_by', 'text')
		.addColumn('reject_reason', 'text')
		.execute();
	await db.schema
		.createIndex('org_cert_applications_org')
		.on('org_cert_applications')
		.columns(['org_id', 'created_at'])
		.execute();
	await db.schema
		.createIndex('org_cert_applications_remark')
		.on('org_cert_applications')
		.column('remark_code')
		.unique()
		.execute();

	await db.schema
		.createTable('sim_bank_transfers')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('direction', 'text', (c) =>
			c.notNull().check(sql`direction in ('to_org', 'to_platform')`)
		)
		.addColumn('account', 'text', (c) => c.notNull())
		.addColumn('account_name', 'text', (c) => c.notNull())
		.addColumn('amount_cents', 'integer', (c) => c.notNull())
		.addColumn('remark', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('sim_bank_transfers').execute();
	await db.schema.dropTable('org_cert_applications').execute();
	await db.schema.alterTable('organisations').dropColumn('certified_at').execute();
	await db.schema.alterTable('organisations').dropColumn('cert_state').execute();
}
