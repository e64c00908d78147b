// Makes the transaction of an admin action fail at COMMIT, after its DONE audit row was inserted: a
// deferred constraint trigger on audit_log that raises for DONE rows of the given actions. Shows that
// the row and the change it records commit together or not at all (contract 12.3).
import type { Db } from '../../src/store/db.js';

export async function failingAtCommit<T>(db: Db, actions: readonly string[], fn: () => Promise<T>): Promise<T> {
  const list = actions.map((a) => `'${a.replace(/'/g, "''")}'`).join(', ');
  await db.exec(`CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: the transaction of % fails at commit', NEW.action; END $$;
    CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.outcome = 'DONE' AND NEW.action IN (${list})) EXECUTE FUNCTION test_fail_at_commit();`);
  try {
    return await fn();
  } finally {
    await db.exec('DROP TRIGGER test_fail_at_commit ON audit_log; DROP FUNCTION test_fail_at_commit();');
  }
}
