// Loading a big table fast without changing what it ends up as: the table's own index and key
// definitions are read from the catalog, dropped, the rows loaded, and the very same definitions
// run again. schemaFingerprint() then proves the result equals a database built by the fixture.
import type { ClientBase } from 'pg';

type IndexDefinition = { name: string; definition: string; constraintName: string | null; constraintDefinition: string | null };

/**
 * Empties `table`, loads it with `load` in the same transaction and rebuilds its indexes after.
 * TRUNCATE gives the table a new file, which under wal_level=minimal is not WAL-logged, and
 * session_replication_role=replica skips the per-row foreign-key triggers: the seeder makes every
 * key consistent by construction. VACUUM sets the visibility map, as a long-lived table has it.
 * Foreign keys of other tables that point at it (llm_charge_details at charge_receipts) hold on to
 * its primary key: they are dropped with it and made again, checked, once it is rebuilt.
 */
export async function loadThenIndex(client: ClientBase, table: string, load: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    const { rows: indexes } = await client.query<IndexDefinition>(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
              con.conname AS "constraintName", pg_get_constraintdef(con.oid) AS "constraintDefinition"
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u')
        WHERE i.indrelid = $1::regclass
        ORDER BY c.relname`,
      [table],
    );
    const { rows: referencing } = await client.query<{ name: string; table: string; definition: string }>(
      `SELECT conname AS name, conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass ORDER BY conname`,
      [table],
    );
    for (const key of referencing) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${key.name}`);
    await client.query(`TRUNCATE ${table}`);
    for (const index of indexes) {
      await client.query(
        index.constraintName
          ? `ALTER TABLE ${table} DROP CONSTRAINT ${index.constraintName}`
          : `DROP INDEX ${index.name}`,
      );
    }
    await client.query('SET LOCAL session_replication_role = replica');
    await load();
    await client.query('COMMIT');
    await client.query(`VACUUM (ANALYZE) ${table}`);
    for (const index of indexes) {
      await client.query(
        index.constraintName
          ? `ALTER TABLE ${table} ADD CONSTRAINT ${index.constraintName} ${index.constraintDefinition}`
          : index.definition,
      );
    }
    for (const key of referencing) await client.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${key.name} ${key.definition}`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Everything about the public schema that the worker's reads depend on: columns, indexes, keys,
 * policies, RLS flags and the reader role's privileges. Equal fingerprints, equal schemas.
 */
export async function schemaFingerprint(client: ClientBase, readerRole: string): Promise<string> {
  const { rows } = await client.query<{ fingerprint: unknown }>(
    `SELECT json_build_object(
       'columns', (SELECT json_agg(concat_ws(' ', table_name, ordinal_position, column_name, data_type, is_nullable, column_default)
                                   ORDER BY table_name, ordinal_position)
                     FROM information_schema.columns WHERE table_schema = 'public'),
       'indexes', (SELECT json_agg(indexdef ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'),
       'constraints', (SELECT json_agg(concat_ws(' ', conrelid::regclass, conname, pg_get_constraintdef(oid))
                                       ORDER BY conrelid::regclass::text, conname)
                         FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
       'policies', (SELECT json_agg(concat_ws(' ', tablename, policyname, permissive, roles::text, cmd, qual, with_check)
                                    ORDER BY tablename, policyname)
                      FROM pg_policies WHERE schemaname = 'public'),
       'rls', (SELECT json_agg(concat_ws(' ', relname, relrowsecurity, relforcerowsecurity) ORDER BY relname)
                 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'),
       'tablePrivileges', (SELECT json_agg(concat_ws(' ', table_name, privilege_type) ORDER BY table_name, privilege_type)
                             FROM information_schema.role_table_grants WHERE grantee = $1 AND table_schema = 'public'),
       'columnPrivileges', (SELECT json_agg(concat_ws(' ', table_name, column_name, privilege_type)
                                            ORDER BY table_name, column_name, privilege_type)
                              FROM information_schema.column_privileges WHERE grantee = $1 AND table_schema = 'public')
     ) AS fingerprint`,
    [readerRole],
  );
  return JSON.stringify(rows[0]!.fingerprint);
}
