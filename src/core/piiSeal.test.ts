import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Lead, LeadFields } from "./lead";
import type { PostAttempt } from "./attempt";
import { blindText, importPiiKeys, isSealed, openBuyerAnswers, openLead, openPii, openText, openValue, PiiKeyError, PiiSealError, resealPii, sealLead, sealPostAnswer, sealValue } from "./piiSeal";
import { lead } from "./testing/fixtures";

const OLD = "old1:LcytphJNkFQXaDVlHoE01/k6d0fSj4/lMxflYVmUzx4=";
const NEW = "new2:9CZSUmJHklAIoH86iR9P5p44AUgbq/2epC56eoaOQ1w=";

const person: Lead = {
  ...lead(),
  fields: { firstName: "Ann", lastName: "Reyes", email: "ann.reyes@gmail.com", phone: "+12127341188", address: "12 Elm Street", zip: "10001", income: 85000, homeowner: true, note: "enc:v1:looks-like-ours" },
  consent: { text: "I agree to be called.", textSha256: "ab", ip: "203.0.113.9", timestamp: "2026-01-01T00:00:00Z", userAgent: "Mozilla/5.0", pageUrl: "https://quotes.example/" },
  signals: [{ name: "consent_ip_mismatch", points: -10, detail: "consent came from 203.0.113.9, the lead from 203.0.113.1" }],
};
const specs = [{ name: "income", pii: true }, { name: "homeowner", pii: false }];

describe("sealing a value", () => {
  test("round trip: any text, number or yes/no comes back as it was, under a fresh iv each time", async () => {
    const keys = await importPiiKeys(OLD);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), async (value) => {
        const envelope = await sealValue(keys, value);
        expect(envelope).toMatch(/^enc:v1:old1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
        // A sealed value travels as JSON, which writes -0 as 0, like every other stored lead value.
        expect(await openValue(keys, envelope)).toEqual(Object.is(value, -0) ? 0 : value);
      }),
      { numRuns: 50 },
    );
    expect(await sealValue(keys, "same")).not.toBe(await sealValue(keys, "same"));
  });

  test("rotation: new values go under the first key, and values sealed under an old key still open", async () => {
    const before = await importPiiKeys(OLD);
    const sealedBefore = await sealValue(before, "ann.reyes@gmail.com");
    const rotated = await importPiiKeys(`${NEW},${OLD}`);
    const sealedAfter = await sealValue(rotated, "ann.reyes@gmail.com");
    expect(sealedAfter.startsWith("enc:v1:new2:")).toBe(true);
    expect(await openValue(rotated, sealedBefore)).toBe("ann.reyes@gmail.com");
    expect(await openValue(rotated, sealedAfter)).toBe("ann.reyes@gmail.com");
  });

  test("a key id PII_KEY no longer has is a clear key error naming it", async () => {
    const sealed = await sealValue(await importPiiKeys(OLD), "x");
    const error = await openValue(await importPiiKeys(NEW), sealed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PiiKeyError);
    expect(String(error)).toContain("old1");
  });

  test.each([
    {
      name: "a changed ciphertext",
      change: (envelope: string) => {
        const parts = envelope.split(":");
        const ciphertext = parts[4] ?? "";
        return [...parts.slice(0, 4), `${ciphertext.startsWith("A") ? "B" : "A"}${ciphertext.slice(1)}`].join(":");
      },
    },
    { name: "another value's iv", change: (envelope: string, other: string) => [...envelope.split(":").slice(0, 3), other.split(":")[3], envelope.split(":")[4]].join(":") },
    { name: "a cut envelope", change: (envelope: string) => envelope.split(":").slice(0, 4).join(":") },
  ])("tamper ($name) is refused, never opened to something else", async ({ change }) => {
    const keys = await importPiiKeys(OLD);
    const envelope = await sealValue(keys, "ann.reyes@gmail.com");
    const other = await sealValue(keys, "someone else");
    await expect(openValue(keys, change(envelope, other))).rejects.toBeInstanceOf(PiiSealError);
  });
});

describe("PII_KEY", () => {
  test.each([
    { name: "missing", secret: undefined, says: "not set" },
    { name: "empty", secret: " ", says: "not set" },
    { name: "without a key id", secret: "LcytphJNkFQXaDVlHoE01/k6d0fSj4/lMxflYVmUzx4=", says: "entry 1" },
    { name: "a short key", secret: "k1:AAAA", says: "32 bytes" },
    { name: "not base64", secret: "k1:not-base64!", says: "32 bytes" },
    { name: "a key id twice", secret: `${OLD},${OLD}`, says: "twice" },
    { name: "a bad second entry", secret: `${OLD},new2:`, says: "32 bytes" },
  ])("$name is a configuration error saying what is wrong", async ({ secret, says }) => {
    const error = await importPiiKeys(secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PiiKeyError);
    expect(String(error)).toContain(says);
  });
});

describe("sealing a lead", () => {
  test("seals the standard PII, the tree's pii fields, look-alike envelopes, the consent's text, IP and user agent and the signals' details; nothing else", async () => {
    const keys = await importPiiKeys(OLD);
    const sealed = await sealLead(keys, person, specs);
    const sealedNames = Object.entries(sealed.fields).filter(([, value]) => isSealed(value)).map(([name]) => name);
    expect(sealedNames.sort()).toEqual(["address", "email", "firstName", "income", "lastName", "note", "phone"]);
    expect(sealed.fields).toMatchObject({ zip: "10001", homeowner: true });
    expect(sealed.consent).toMatchObject({ textSha256: "ab", timestamp: "2026-01-01T00:00:00Z", pageUrl: "https://quotes.example/" });
    for (const value of [sealed.consent.text, sealed.consent.ip, sealed.consent.userAgent, sealed.signals[0]?.detail]) expect(isSealed(value)).toBe(true);
    expect(sealed.signals[0]).toMatchObject({ name: "consent_ip_mismatch", points: -10 });
    expect(JSON.stringify(sealed)).not.toMatch(/Ann|Reyes|ann\.reyes|7341188|Elm|203\.0\.113\.9|Mozilla|85000/);
    expect(await openLead(keys, sealed)).toEqual(person);
  });

  test("opening passes values stored before sealing as they are", async () => {
    const keys = await importPiiKeys(OLD);
    const { note: _note, ...fields } = person.fields;
    const legacy = { fields, consent: person.consent };
    expect(await openPii(keys, legacy)).toEqual(legacy);
  });
});

describe("blindText", () => {
  test("equal texts give equal digests that show nothing of the text; another text or another last key gives another", async () => {
    const keys = await importPiiKeys(OLD);
    const digest = await blindText(keys, "pub|ann@gmail.com|tree");
    expect(digest).toBe(await blindText(keys, "pub|ann@gmail.com|tree"));
    expect(digest).not.toContain("ann");
    expect(digest).not.toBe(await blindText(keys, "pub|bob@gmail.com|tree"));
    expect(digest).not.toBe(await blindText(await importPiiKeys(NEW), "pub|ann@gmail.com|tree"));
  });

  test("a new key put first leaves it as it was: keys still match across a rotation", async () => {
    const before = await blindText(await importPiiKeys(OLD), "pub|ann@gmail.com|tree");
    expect(await blindText(await importPiiKeys(`${NEW},${OLD}`), "pub|ann@gmail.com|tree")).toBe(before);
  });
});

test("resealPii moves what an older key sealed under the current key, and leaves the rest alone", async () => {
  const sealedOld = await sealLead(await importPiiKeys(OLD), person, specs);
  const rotated = await importPiiKeys(`${NEW},${OLD}`);
  const withFresh: LeadFields = { ...sealedOld.fields, fresh: await sealValue(rotated, "already new") };
  const resealed = await resealPii(rotated, { ...sealedOld, fields: withFresh }, specs);
  const envelopes = [...Object.values(resealed.fields), resealed.consent.text, resealed.consent.ip, resealed.consent.userAgent, resealed.signals[0]?.detail].filter(isSealed);
  expect(envelopes).toHaveLength(12);
  for (const envelope of envelopes) expect(envelope.startsWith("enc:v1:new2:")).toBe(true);
  expect(resealed.fields.zip).toBe("10001");
  const { fresh, ...fields } = (await openPii(await importPiiKeys(NEW), resealed)).fields;
  expect(fresh).toBe("already new");
  expect(fields).toEqual(person.fields);
});

test("resealPii seals what was stored in the clear before sealing existed, by the same rules as intake", async () => {
  const keys = await importPiiKeys(OLD);
  const { note: _note, ...fields } = person.fields;
  const legacy = { ...person, fields };
  const resealed = await resealPii(keys, legacy, specs);
  expect(resealed).toEqual({ ...(await sealLead(keys, legacy, specs)), fields: expect.any(Object), consent: expect.any(Object), signals: expect.any(Array) });
  const sealedNames = Object.entries(resealed.fields).filter(([, value]) => isSealed(value)).map(([name]) => name);
  expect(sealedNames.sort()).toEqual(["address", "email", "firstName", "income", "lastName", "phone"]);
  expect(JSON.stringify(resealed)).not.toMatch(/Ann|Reyes|7341188|203\.0\.113\.9|Mozilla/);
  expect(await openPii(keys, resealed)).toEqual(legacy);
});

describe("what a buyer answers to a post", () => {
  const page = "https://quotes.example/welcome?email=ann.reyes@gmail.com&phone=+12127341188";
  const timing = { leadPointId: "lp_1", startedAt: "2026-01-01T00:00:00.000Z", ms: 12, httpStatus: 200 };

  test("its redirect URL and its reason for refusing are sealed; what carries no words of the buyer's is left as it is", async () => {
    const keys = await importPiiKeys(OLD);
    const accepted = await sealPostAnswer(keys, { ...timing, kind: "accepted", redirectUrl: page, buyerLeadId: "B-1" });
    expect(accepted).toMatchObject({ kind: "accepted", buyerLeadId: "B-1", redirectUrl: expect.stringMatching(/^enc:v1:old1:/) });
    expect(await openText(keys, (accepted as { redirectUrl: string }).redirectUrl)).toBe(page);
    const rejected = await sealPostAnswer(keys, { ...timing, kind: "rejected", reason: "duplicate: ann.reyes@gmail.com" });
    expect(JSON.stringify(rejected)).not.toContain("ann.reyes");
    const untouched: PostAttempt[] = [
      { ...timing, kind: "accepted" },
      { ...timing, kind: "rejected" },
      { ...timing, kind: "timeout" },
      { ...timing, kind: "transportError", reason: "HTTP 500" },
    ];
    for (const attempt of untouched) expect(await sealPostAnswer(keys, attempt)).toEqual(attempt);
  });

  test("a view opens them wherever it holds them: the answer's URL, each sale's, each trace line's reason, a return's reason", async () => {
    const keys = await importPiiKeys(OLD);
    const sealed = (text: string) => sealValue(keys, text);
    const view = {
      id: "ld_1",
      redirectUrl: await sealed(page),
      sales: [{ leadPointId: "lp_1", redirectUrl: await sealed(page) }, { leadPointId: "lp_2" }],
      trace: [
        { phase: "post", reason: await sealed("duplicate: ann.reyes@gmail.com") },
        { phase: "ping", reason: "no answer before the deadline" },
        { phase: "ping" },
      ],
    };
    expect(await openBuyerAnswers(keys, view)).toEqual({
      id: "ld_1",
      redirectUrl: page,
      sales: [{ leadPointId: "lp_1", redirectUrl: page }, { leadPointId: "lp_2" }],
      trace: [{ phase: "post", reason: "duplicate: ann.reyes@gmail.com" }, { phase: "ping", reason: "no answer before the deadline" }, { phase: "ping" }],
    });
    expect(await openBuyerAnswers(keys, { leadId: "ld_3", return: { returnedAt: "2026-01-02T00:00:00.000Z", reason: await sealed("wrong number 2127341188") } })).toEqual({
      leadId: "ld_3",
      return: { returnedAt: "2026-01-02T00:00:00.000Z", reason: "wrong number 2127341188" },
    });
    // The tree's own acceptUrl is never sealed, and a view without sales or trace gains none.
    expect(await openBuyerAnswers(keys, { leadId: "ld_2", redirectUrl: "https://publisher.example/thanks" })).toEqual({ leadId: "ld_2", redirectUrl: "https://publisher.example/thanks" });
  });

  test("openText gives back any text sealValue sealed, and passes a text that is no envelope", async () => {
    const keys = await importPiiKeys(OLD);
    await fc.assert(
      fc.asyncProperty(fc.string(), async (text) => {
        expect(await openText(keys, await sealValue(keys, text))).toBe(text);
        if (!isSealed(text)) expect(await openText(keys, text)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });
});
