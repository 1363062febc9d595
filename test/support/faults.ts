/**
 * Test doubles that make faults happen: a gate whose D1 refuses writes, and
 * a gate whose outbox is slow to write. The D1 double wraps the real D1
 * client and refuses a batch that carries a chosen text, so the gate's own
 * code meets a real failure in the middle of its work.
 */
import { runInDurableObject } from "cloudflare:test";
import type { LeadGate } from "../../src/objects/gate";
import type { Db } from "../../src/store/db";

/** The one part of the gate a fault test reaches into: where its outbox gets D1 from. */
interface OutboxInside {
  outbox: { options: { db: () => Db; flushMs: number } };
}

/** D1 as the gate sees it, refusing every batch one of whose bound values `refuses` picks out. */
export function refusingD1(real: Db, refuses: (bound: string) => boolean): Db {
  const client = real.$client;
  const refused = new WeakSet<D1PreparedStatement>();
  const prepare = (query: string): D1PreparedStatement => {
    const statement = client.prepare(query);
    const bind = (...values: unknown[]): D1PreparedStatement => {
      const bound = statement.bind(...values);
      if (values.some((value) => typeof value === "string" && refuses(value))) refused.add(bound);
      return bound;
    };
    return Object.assign(Object.create(statement) as D1PreparedStatement, { bind });
  };
  const batch = <T>(statements: D1PreparedStatement[]) =>
    statements.some((statement) => refused.has(statement)) ? Promise.reject(new Error("D1 refused the batch (test double)")) : client.batch<T>(statements);
  return Object.create(real, { $client: { value: { prepare, batch } } }) as Db;
}

/** Every D1 batch of this gate goes through `wrap` until `restore` is called. */
export async function gateD1(gate: DurableObjectStub<LeadGate>, wrap: (real: Db) => Db): Promise<{ restore(): Promise<void> }> {
  const original = await runInDurableObject(gate, (instance) => {
    const { options } = (instance as unknown as OutboxInside).outbox;
    const real = options.db;
    options.db = () => wrap(real());
    return real;
  });
  return {
    restore: () =>
      runInDurableObject(gate, (instance) => {
        (instance as unknown as OutboxInside).outbox.options.db = original;
      }),
  };
}

/**
 * Holds this gate's D1 batches (and the consumer sales that go with them)
 * until `release`, as a long LOG_FLUSH_MS would; `release` writes what is owed.
 */
export async function holdGateWrites(gate: DurableObjectStub<LeadGate>): Promise<{ release(): Promise<void> }> {
  const original = await runInDurableObject(gate, (instance) => {
    const { options } = (instance as unknown as OutboxInside).outbox;
    const flushMs = options.flushMs;
    options.flushMs = 3_600_000;
    return flushMs;
  });
  return {
    release: async () => {
      await runInDurableObject(gate, (instance) => {
        (instance as unknown as OutboxInside).outbox.options.flushMs = original;
      });
      await gate.flush();
    },
  };
}
