/**
 * The gate's state machine, one transition a row: from this state, on this
 * event, to that state, with these rows written. Run on a gate's real SQLite.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Lead } from "../../src/core/lead";
import type { SealedLead } from "../../src/core/piiSeal";
import { NO_PRIOR_SALES } from "../../src/core/tree";
import type { Settlement } from "../../src/exchange/settlement";
import { GateLog, type KeyState, type LeadState } from "../../src/objects/gate/log";
import { unique } from "../support/exchange";

const NOW = 1_800_000_000_000;

/** The log's transitions read no field of the lead: its PII need not be sealed here. */
function lead(id: string): SealedLead {
  const logged: Lead = {
    id,
    treeId: "t",
    treeVersion: 1,
    vertical: "solar",
    publisherId: "pub",
    fields: { zip: "10001" },
    consent: { text: "ok", textSha256: "2689367b205c16ce32ed4200942b8b8b1e262dfc70d9bc9fbc77c49699a4f1df", ip: "203.0.113.1", timestamp: "2026-01-01T00:00:00Z" },
    score: 80,
    signals: [],
    receivedAt: "2026-01-01T00:00:00.000Z",
  };
  return logged as SealedLead;
}

function settlement(leadId: string, status: "accepted" | "unsold" | "review" | "pending", buyerId?: string): Settlement {
  const sales = buyerId ? [{ leadPointId: `lp-${buyerId}`, buyerId, priceCents: 1000, payoutCents: 600, marginCents: 400 }] : [];
  const answer = { leadId, status: status === "accepted" ? "accepted" : status === "unsold" ? "declined" : "pending" } as const;
  return {
    answer,
    accepts: sales.length,
    log: { lead: lead(leadId), status, ms: 5, completedAt: "2026-01-01T00:00:01.000Z", trace: [], sales },
    ...(status === "pending" ? { holdUntil: NOW + 60_000 } : {}),
  };
}

type Step = (log: GateLog, leadId: string, key: string) => void;

const admit: Step = (log, leadId, key) => log.admit({ key, lead: lead(leadId), publisherId: "pub", now: NOW, leaseUntil: NOW + 30_000, expiresAt: NOW + 3_600_000, prior: NO_PRIOR_SALES });
const intent: Step = (log, leadId) => log.recordIntent(leadId, "lp-a", 1000, NOW);
const answered: Step = (log, leadId) => log.recordPostAnswer(leadId, "lp-a", { kind: "rejected" });
const finish = (status: "accepted" | "unsold" | "review" | "pending", buyer?: string): Step => (log, leadId, key) => void log.finish({ key, settlement: settlement(leadId, status, buyer), d1DueAt: NOW + 30_000 });
const startCycle: Step = (log, leadId) => {
  const record = log.lead(leadId);
  if (record) log.startCycle(record, record.cycle + 1, NOW + 60_000);
};

interface Case {
  name: string;
  given: Step[];
  when: Step;
  lead: LeadState;
  key: KeyState;
  rows?: (log: GateLog, leadId: string, key: string) => void;
}

const cases: Case[] = [
  { name: "(none) --admit--> running, the key held by the run's lease", given: [], when: admit, lead: "running", key: "running" },
  { name: "running --recordIntent--> posting, the intent written", given: [admit], when: intent, lead: "posting", key: "running", rows: (log, id) => expect(log.intents(id)).toEqual([{ leadPointId: "lp-a", priceCents: 1000, at: NOW }]) },
  { name: "posting --recordPostAnswer--> running, the answer beside the intent", given: [admit, intent], when: answered, lead: "running", key: "running", rows: (log, id) => expect(log.intents(id)[0]?.answer).toEqual({ kind: "rejected" }) },
  {
    name: "running --finish(sold)--> done, the key counting the accept and the buyer, the intents gone",
    given: [admit, intent],
    when: finish("accepted", "buyer-a"),
    lead: "done",
    key: "done",
    rows: (log, id, key) => {
      expect(log.intents(id)).toEqual([]);
      expect(log.key(key)?.prior).toEqual({ accepts: 1, buyerIds: ["buyer-a"] });
      expect(log.lead(id)?.d1DueAt).toBe(NOW + 30_000);
    },
  },
  { name: "running --finish(unsold, cycles left)--> held until the cycle delay", given: [admit], when: finish("pending"), lead: "held", key: "held", rows: (log, id) => expect(log.lead(id)?.nextRunAt).toBe(NOW + 60_000) },
  { name: "posting --finish(answer lost)--> review", given: [admit, intent], when: finish("review"), lead: "review", key: "review" },
  { name: "held --startCycle--> running, the next cycle", given: [admit, finish("pending")], when: startCycle, lead: "running", key: "running", rows: (log, id) => expect(log.lead(id)?.cycle).toBe(2) },
  { name: "review --finish(resolved sold)--> done", given: [admit, intent, finish("review")], when: finish("accepted", "buyer-b"), lead: "done", key: "done", rows: (log, _id, key) => expect(log.key(key)?.prior.buyerIds).toEqual(["buyer-b"]) },
];

function onScratchGate<T>(body: (log: GateLog) => T): Promise<T> {
  return runInDurableObject(env.LEAD_GATE.getByName(unique("gate:scratch:")), (_instance, state) => body(new GateLog(state.storage.sql)));
}

describe("the gate's state machine", () => {
  it.each(cases)("$name", async ({ given, when, lead: leadState, key: keyState, rows }) => {
    await onScratchGate((log) => {
      const [leadId, key] = ["ld_x", "pub|clk|t"];
      for (const step of given) step(log, leadId, key);
      when(log, leadId, key);
      expect(log.lead(leadId)?.state).toBe(leadState);
      expect(log.key(key)?.state).toBe(keyState);
      rows?.(log, leadId, key);
    });
  });

  it("adds a key's accepts and buyers up across its leads, each buyer once", async () => {
    await onScratchGate((log) => {
      const key = "pub|clk|t";
      admit(log, "ld_1", key);
      finish("accepted", "buyer-a")(log, "ld_1", key);
      log.admit({ key, lead: lead("ld_2"), publisherId: "pub", now: NOW, leaseUntil: NOW + 30_000, expiresAt: NOW + 3_600_000, prior: log.key(key)?.prior ?? NO_PRIOR_SALES });
      finish("accepted", "buyer-b")(log, "ld_2", key);
      expect(log.key(key)?.prior).toEqual({ accepts: 2, buyerIds: ["buyer-a", "buyer-b"] });
    });
  });

  it("clears an owed D1 write only for the version that was written: a lead finished again stays owed", async () => {
    await onScratchGate((log) => {
      const key = "pub|clk|t";
      admit(log, "ld_1", key);
      const first = log.finish({ key, settlement: settlement("ld_1", "pending"), d1DueAt: NOW });
      startCycle(log, "ld_1", key);
      const second = log.finish({ key, settlement: settlement("ld_1", "accepted", "buyer-a"), d1DueAt: NOW });
      log.markWritten([{ leadId: "ld_1", seq: first }]);
      expect(log.owedLeadIds()).toEqual(["ld_1"]);
      log.markWritten([{ leadId: "ld_1", seq: second }]);
      expect(log.owedLeadIds()).toEqual([]);
    });
  });

  it("clears a batch's written versions in one call, each lead by its own version", async () => {
    await onScratchGate((log) => {
      const seqs = new Map<string, number>();
      for (const id of ["ld_a", "ld_b", "ld_c"]) {
        admit(log, id, `key-${id}`);
        seqs.set(id, log.finish({ key: `key-${id}`, settlement: settlement(id, "accepted", "buyer-a"), d1DueAt: NOW }));
      }
      startCycle(log, "ld_b", "key-ld_b");
      log.finish({ key: "key-ld_b", settlement: settlement("ld_b", "accepted", "buyer-b"), d1DueAt: NOW });
      log.markWritten([...seqs].map(([leadId, seq]) => ({ leadId, seq })));
      expect(log.owedLeadIds()).toEqual(["ld_b"]);
    });
  });

  it("purges a finished key and lead after the window once D1 has the lead, and keeps held and review leads", async () => {
    await onScratchGate((log) => {
      for (const [id, status] of [["ld_done", "accepted"], ["ld_held", "pending"], ["ld_review", "review"]] as const) {
        admit(log, id, `key-${id}`);
        log.markWritten([{ leadId: id, seq: log.finish({ key: `key-${id}`, settlement: settlement(id, status), d1DueAt: NOW }) }]);
      }
      log.purgeExpired(NOW + 3_600_000);
      expect([log.lead("ld_done"), log.key("key-ld_done")]).toEqual([undefined, undefined]);
      expect([log.lead("ld_held")?.state, log.lead("ld_review")?.state]).toEqual(["held", "review"]);
    });
  });
});
