/**
 * Idempotency-Key records of a tree's publishers. The first request with a
 * key holds it under a lease, as a run holds a lead key: a retry while it is
 * in flight is told so, and a retry after the lease has run out (the first
 * request died between begin and end) runs again instead of being refused
 * until the record expires.
 */
export type IdempotencyCheck = { kind: "new" } | { kind: "replay"; status: number; body: string } | { kind: "conflict"; reason: string };

interface IdempotencyRow extends Record<string, SqlStorageValue> {
  body_hash: string;
  status: number | null;
  response: string | null;
  lease_until: number;
  expires_at: number;
}

/** How long an answer is kept for retries. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export class IdempotencyStore {
  constructor(private readonly sql: SqlStorage) {}

  begin(scopeKey: string, bodyHash: string, leaseMs: number, now: number): IdempotencyCheck {
    const row = this.sql.exec<IdempotencyRow>("SELECT * FROM idempotency WHERE scope_key = ?", scopeKey).toArray()[0];
    if (row && row.expires_at > now) {
      if (row.body_hash !== bodyHash) return { kind: "conflict", reason: "this Idempotency-Key was used with a different body" };
      if (row.status !== null && row.response !== null) return { kind: "replay", status: row.status, body: row.response };
      if (row.lease_until > now) return { kind: "conflict", reason: "a request with this Idempotency-Key is still being processed" };
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO idempotency (scope_key, body_hash, status, response, lease_until, expires_at) VALUES (?, ?, NULL, NULL, ?, ?)",
      scopeKey,
      bodyHash,
      now + leaseMs,
      now + IDEMPOTENCY_TTL_MS,
    );
    return { kind: "new" };
  }

  /** Keeps an answer for replay; `null` (our failure, not an answer) frees the key for a retry at once. */
  end(scopeKey: string, status: number, body: string | null): void {
    if (body === null) this.sql.exec("DELETE FROM idempotency WHERE scope_key = ?", scopeKey);
    else this.sql.exec("UPDATE idempotency SET status = ?, response = ?, lease_until = 0 WHERE scope_key = ?", status, body, scopeKey);
  }

  holds(scopeKey: string, now: number): boolean {
    return this.sql.exec("SELECT 1 FROM idempotency WHERE scope_key = ? AND expires_at > ?", scopeKey, now).toArray().length > 0;
  }

  purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE expires_at <= ?", now);
  }

  nextExpiry(): number | undefined {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM idempotency").one().at ?? undefined;
  }
}
