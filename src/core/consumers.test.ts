import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  arrivalKeepDays,
  consumerIndex,
  consumerValues,
  dedupeRefusal,
  duplicateOf,
  historyOf,
  mergeSeen,
  purchasableHashes,
  RECENT_LEAD_MS,
  screenDuplicate,
  seenFrom,
  VELOCITY_COUNT_CAP,
  visitWindows,
  type EarlierLead,
} from "./consumers";

const DAY = 86_400_000;
const now = Date.parse("2026-12-01T12:00:00Z");

describe("consumerValues", () => {
  it.each([
    ["a US phone in any punctuation is E.164", { phone: "(212) 736-4100" }, undefined, { phone: "+12127364100" }],
    ["a phone already in E.164 stays", { phone: "+1 212 736 4100" }, undefined, { phone: "+12127364100" }],
    ["an impossible phone is left out", { phone: "12" }, undefined, {}],
    ["email is trimmed and lowercased", { email: "  Maria.Lopez@Gmail.COM " }, undefined, { email: "maria.lopez@gmail.com" }],
    ["the lead's IP wins over the consent's", { ip: " 2001:DB8::1 " }, "203.0.113.7", { ip: "2001:db8::1" }],
    ["the consent's IP stands in for a lead without one", {}, "203.0.113.7", { ip: "203.0.113.7" }],
  ])("%s", (_case, fields, consentIp, expected) => {
    expect(consumerValues(fields, consentIp)).toEqual(expected);
  });

  it("keys the same consumer the same way however the phone is written", () => {
    expect(consumerValues({ phone: "212.736.4100" }, undefined)).toEqual(consumerValues({ phone: "+1 (212) 736-4100" }, undefined));
  });
});

describe("consumerIndex", () => {
  it("is within [0, shards) and stable", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (hash, shards) => {
        const index = consumerIndex(hash, shards);
        return index >= 0 && index < shards && index === consumerIndex(hash, shards);
      }),
    );
  });
});

describe("the tree's duplicate rule", () => {
  const earlier: EarlierLead[] = [
    { field: "email", leadId: "ld_old", at: now - 5 * DAY },
    { field: "phone", leadId: "ld_new", at: now - DAY },
    { field: "ip", leadId: "ld_ip", at: now - 1000 },
  ];

  it("names the newest earlier lead among the rule's fields", () => {
    expect(duplicateOf({ fields: ["phone", "email"], days: 30, action: "flag" }, earlier)).toEqual({
      leadId: "ld_new",
      receivedAt: new Date(now - DAY).toISOString(),
      field: "phone",
      action: "flag",
    });
    expect(duplicateOf({ fields: ["email"], days: 30, action: "decline" }, earlier)?.leadId).toBe("ld_old");
  });

  it("finds nothing without a rule or a match", () => {
    expect(duplicateOf(undefined, earlier)).toBeUndefined();
    expect(duplicateOf({ fields: ["phone"], days: 30, action: "decline" }, earlier.filter((lead) => lead.field !== "phone"))).toBeUndefined();
  });

  it.each([
    ["a declining rule declines a passing lead as a duplicate", { kind: "pass" } as const, "decline", "decline"],
    ["a flagging rule lets it pass", { kind: "pass" } as const, "flag", "pass"],
    ["a lead the tree's filters declined keeps that refusal", { kind: "decline", rule: "filter", reason: "tree filter" } as const, "decline", "decline"],
  ])("%s", (_case, screening, action, kind) => {
    const duplicate = duplicateOf({ fields: ["phone"], days: 30, action: action as "decline" | "flag" }, earlier);
    const screened = screenDuplicate(screening, duplicate);
    expect(screened.kind).toBe(kind);
    if (screening.kind === "pass" && screened.kind === "decline") {
      expect(screened).toEqual({ kind: "decline", rule: "duplicate", reason: `duplicate of lead ld_new received ${new Date(now - DAY).toISOString()} (same phone)` });
    }
    if (screening.kind === "decline") expect(screened).toBe(screening);
  });
});

describe("dedupeRefusal", () => {
  const purchases = [{ buyerId: "buy_a", at: now - 10 * DAY }];

  it.each([
    ["skips the buyer that bought the consumer inside its window", { buyerId: "buy_a", dedupeDays: 30 }, true],
    ["lets it have the consumer once the window has passed", { buyerId: "buy_a", dedupeDays: 7 }, false],
    ["never skips a point without dedupeDays", { buyerId: "buy_a" }, false],
    ["never skips another buyer", { buyerId: "buy_b", dedupeDays: 30 }, false],
  ])("%s", (_case, point, skipped) => {
    const reason = dedupeRefusal(point, purchases, now);
    expect(reason !== undefined).toBe(skipped);
    if (skipped) expect(reason).toBe(`the buyer bought this consumer on ${new Date(now - 10 * DAY).toISOString()}, inside its dedupeDays (30)`);
  });
});

describe("merging the objects' answers", () => {
  it("keeps each buyer's newest purchase and every object's counts", () => {
    const seen = mergeSeen([
      { counts: { phone: 2 }, earlier: [], purchases: [{ buyerId: "buy_a", at: 1 }], recent: [{ leadId: "ld_both", at: 7 }] },
      {
        counts: { email: 1, ip: 4 },
        earlier: [{ field: "email", leadId: "ld_x", at: 5 }],
        purchases: [{ buyerId: "buy_a", at: 3 }, { buyerId: "buy_b", at: 2 }],
        recent: [{ leadId: "ld_newest", at: 8 }, { leadId: "ld_both", at: 7 }],
      },
    ]);
    expect(seen.purchases).toEqual([{ buyerId: "buy_a", at: 3 }, { buyerId: "buy_b", at: 2 }]);
    expect(seen.recent).toEqual([{ leadId: "ld_newest", at: 8 }, { leadId: "ld_both", at: 7 }]);
    expect(historyOf([{ field: "phone", hash: "h" }], seen)).toEqual({ hours: 24, phone: 2, email: 1, ip: 4 });
    expect(historyOf([], seen)).toBeUndefined();
  });

  it("keeps arrivals for the velocity window or the tree's duplicate window, whichever is longer", () => {
    expect(arrivalKeepDays(undefined)).toBe(1);
    expect(arrivalKeepDays({ days: 30 })).toBe(30);
  });
});

describe("an object's answer to a visit", () => {
  const at = 100 * DAY;
  const keys = [
    { field: "phone" as const, hash: "p" },
    { field: "ip" as const, hash: "i" },
  ];
  const visit = { keys, treeId: "t", at, duplicates: { fields: ["phone" as const], days: 30 } };

  it("looks back over the velocity window and the duplicate window of each field the rule names", () => {
    const windows = visitWindows(visit);
    expect(windows).toEqual({ since: at - DAY, duplicateSince: { phone: at - 30 * DAY }, from: at - 30 * DAY });
    expect(visitWindows({ ...visit, duplicates: undefined }).from).toBe(at - DAY);
    expect(purchasableHashes(visit)).toEqual(["p"]);
  });

  it("counts each key's arrivals of the last day and names the tree's newest earlier lead inside its window", () => {
    const seen = seenFrom(visit, visitWindows(visit), [
      { hash: "p", leadId: "ld_old", treeId: "t", at: at - 40 * DAY },
      { hash: "p", leadId: "ld_week", treeId: "t", at: at - 7 * DAY },
      { hash: "p", leadId: "ld_other_tree", treeId: "u", at: at - 60_000 },
      { hash: "i", leadId: "ld_ip", treeId: "t", at: at - 60_000 },
      { hash: "i", leadId: "ld_ip2", treeId: "t", at: at - 120_000 },
    ], [{ buyerId: "buy_a", at: 1 }, { buyerId: "buy_a", at: 9 }]);
    expect(seen.counts).toEqual({ phone: 1, ip: 2 });
    // The IP is not a field of the rule: its arrivals count for velocity only.
    expect(seen.earlier).toEqual([{ field: "phone", leadId: "ld_week", at: at - 7 * DAY }]);
    expect(seen.purchases).toEqual([{ buyerId: "buy_a", at: 9 }]);
    // The other tree's lead of a minute ago may still be selling the consumer; the IP's never stands for the consumer.
    expect(seen.recent).toEqual([]);
  });

  it("names the phone's and email's earlier leads, of any tree, that may still be running, once each and newest first", () => {
    const withEmail = { ...visit, keys: [...keys, { field: "email" as const, hash: "e" }] };
    const seen = seenFrom(withEmail, visitWindows(withEmail), [
      { hash: "p", leadId: "ld_running", treeId: "u", at: at - 1_000 },
      { hash: "e", leadId: "ld_running", treeId: "u", at: at - 1_000 },
      { hash: "e", leadId: "ld_same_tree", treeId: "t", at: at - 5 },
      { hash: "p", leadId: "ld_done", treeId: "u", at: at - RECENT_LEAD_MS },
      { hash: "i", leadId: "ld_ip", treeId: "u", at: at - 10 },
    ], []);
    expect(seen.recent).toEqual([
      { leadId: "ld_same_tree", at: at - 5 },
      { leadId: "ld_running", at: at - 1_000 },
    ]);
  });

  it("lets the later of two arrivals at the same instant stand, and stops counting at the cap", () => {
    const same = [
      { hash: "p", leadId: "ld_written", treeId: "t", at: at - 1 },
      { hash: "p", leadId: "ld_unwritten", treeId: "t", at: at - 1 },
    ];
    expect(seenFrom(visit, visitWindows(visit), same, []).earlier).toEqual([{ field: "phone", leadId: "ld_unwritten", at: at - 1 }]);
    const many = Array.from({ length: VELOCITY_COUNT_CAP + 5 }, (_, i) => ({ hash: "i", leadId: `ld_${i}`, treeId: "u", at: at - i - 1 }));
    expect(seenFrom(visit, visitWindows(visit), many, []).counts.ip).toBe(VELOCITY_COUNT_CAP);
  });
});

