/**
 * PII at rest, end to end: a realistic mix of leads (sold with a copy and
 * then returned, unsold, held for another cycle, keyed by email, submitted
 * under an Idempotency-Key, refused as invalid, with a tree field marked
 * pii) runs through the Worker, to buyers whose words quote the consumer
 * (a prefilled redirect page, a refusal naming the email, a return's
 * reason); the buyer's post, the buyer's read, the operator's view, the
 * publisher's answer and its postback show what they should in the clear,
 * and no row of any D1 table or of any table of the gates' logs or the
 * publisher's postback sender holds it, nor an unkeyed digest of it that a
 * guess could be checked against.
 */
import { runInDurableObject } from "cloudflare:test";
import { postbackSenderName } from "../../src/exchange/postback";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { sha256Hex } from "../../src/store/ids";
import { admin, ADMIN_TOKEN, asBuyer, buyerLog, buyerUrl, call, expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, treeGate, unique, validLead } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

interface Person {
  firstName: string;
  lastName: string;
  email: string;
  /** Ten digits, without the country code. */
  digits: string;
  address: string;
  dateOfBirth: string;
  ip: string;
  consentIp: string;
  consentText: string;
  userAgent: string;
  income: number;
}

const people: Person[] = [
  ["Anneliese", "Quarrington", "4821 Juniper Hollow Road", "2127341188"],
  ["Bartholomew", "Rutherfordson", "77 Wexcombe Terrace", "2127342299"],
  ["Cordelia", "Stavropoulos", "1309 Marigold Crescent", "2127343377"],
  ["Desmond", "Thistlewood", "58 Larkspur Bend", "2127344466"],
  ["Evangeline", "Umberfield", "912 Osprey Landing Way", "2127345544"],
].map(([firstName = "", lastName = "", address = "", digits = ""], i) => ({
  firstName,
  lastName,
  email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}${unique("")}@gmail.com`,
  digits,
  address,
  dateOfBirth: `198${i}-07-1${i}`,
  ip: `198.51.100.${41 + i}`,
  consentIp: `198.51.100.${11 + i}`,
  consentText: `I, the visitor of quote page ${unique("page")}, agree to be contacted by insurance partners.`,
  userAgent: `ScanAgent/${i + 1}.0 (${unique("ua")})`,
  income: 918_273 + i,
}));

function submission(person: Person, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [area, exchange, line] = [person.digits.slice(0, 3), person.digits.slice(3, 6), person.digits.slice(6)];
  return validLead({
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: `(${area}) ${exchange}-${line}`,
    address: person.address,
    dateOfBirth: person.dateOfBirth,
    ip: person.ip,
    consent: { text: person.consentText, ip: person.consentIp, timestamp: new Date().toISOString(), userAgent: person.userAgent },
    ...extra,
  });
}

/** Every way the person's PII could be written: each field, and the phone in the formats people and systems use. */
function needles(person: Person): string[] {
  const d = person.digits;
  const [area, exchange, line] = [d.slice(0, 3), d.slice(3, 6), d.slice(6)];
  const phones = [d, `+1${d}`, `1${d}`, `(${area}) ${exchange}-${line}`, `(${area})${exchange}-${line}`, `${area}-${exchange}-${line}`, `${area}.${exchange}.${line}`, `${area} ${exchange} ${line}`, `${exchange}-${line}`, `${exchange}${line}`];
  return [person.firstName, person.lastName, person.email, person.address, person.dateOfBirth, person.ip, person.consentIp, person.consentText, person.userAgent, String(person.income), ...phones];
}

/** The winning buyer's thank-you page, prefilled as buyers' pages are: the consumer's details in its query (the buyer fills it from the lead it was posted). */
const PREFILLED_PAGE = "https://quotes.example/welcome?first={firstName}&email={email}&phone={phone}";

function prefilledPage(person: Person): string {
  return `https://quotes.example/welcome?first=${person.firstName}&email=${person.email}&phone=+1${person.digits}`;
}

/** A return's reason as buyers write them, quoting the consumer. */
function returnReasonOf(person: Person): string {
  return `${person.firstName} ${person.lastName} at ${person.digits} says they never asked`;
}

function post(treeId: string, apiKey: string, body: Record<string, unknown>, idempotencyKey?: string) {
  return call<Record<string, unknown>>(`/v1/trees/${treeId}/leads`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": "application/json", ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
}

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} never happened`);
}

type Row = Record<string, unknown>;

/** Every row of every table of an SQLite database (workerd's own `_cf_` tables are not the application's and cannot be read). */
async function everyRow(tables: string[], read: (table: string) => Promise<Row[]> | Row[]): Promise<{ table: string; row: string }[]> {
  const rows = await Promise.all(tables.filter((name) => !name.startsWith("_cf_")).map(async (table) => (await read(table)).map((row) => ({ table, row: JSON.stringify(row).toLowerCase() }))));
  return rows.flat();
}

describe("PII at rest", () => {
  const names = { sold: unique("piisold"), copy: unique("piicopy"), decline: unique("piidecline"), refuse: unique("piirefuse"), held: unique("piiheld"), postbacks: unique("piipostbacks") };
  let market: {
    publisher: { id: string; apiKey: string };
    sold: { id: string; buyerKey: string };
    trees: { sold: string; unsold: string; held: string };
    leads: { sold: string; keyed: string; unsold: string; held: string };
    /** The sold lead's Idempotency-Key and body, to replay it. */
    replay: { key: string; body: Record<string, unknown> };
    soldRedirect: unknown;
    /** Plain SHA-256 digests of PII: of the email and phone, and of each body sent under an Idempotency-Key as its record would hash it. */
    digests: string[];
  };

  beforeAll(async () => {
    const [a, b, c, d, e] = people as [Person, Person, Person, Person, Person];
    const publisher = expectStatus(
      await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: unique("pub"), payout: { type: "revshare", percent: 50 }, postbackUrl: buyerUrl(names.postbacks) }),
      201,
    );
    const sold = await newReturningLeadPoint(names.sold, { bid: 900, redirect: PREFILLED_PAGE });
    const [copy, decline, refuse, held] = await Promise.all([
      newLeadPoint(names.copy, { post: "reject", reason: "we hold {email} already" }, { kind: "copy", ping: undefined, pricing: { type: "fixed", priceCents: 0 } }),
      newLeadPoint(names.decline, { decline: 1 }),
      // Bids, then refuses the post quoting the consumer, as buyers' duplicate checks do.
      newLeadPoint(names.refuse, { bid: 300, post: "reject", reason: "duplicate: {email}, {phone}" }),
      newLeadPoint(names.held, { bid: 400, declineFirst: 1 }),
    ]);
    const income = { fields: [{ name: "income", type: "number", pii: true }] };
    const trees = {
      sold: await newTree([{ leadPointId: sold.id }, { leadPointId: copy.id }], { ...income, uniqueLead: { durationSeconds: 3600, pattern: ["email", "treeId"] } }),
      unsold: await newTree([{ leadPointId: decline.id }, { leadPointId: refuse.id }], income),
      held: await newTree([{ leadPointId: held.id }], { ...income, cycles: { max: 2, delaySeconds: 600 } }),
    };
    const idempotentBodies = [submission(a, { income: a.income }), submission(e, { zip: "00000", income: e.income })] as const;
    const replay = { key: unique("idem"), body: idempotentBodies[0] };
    const answers = {
      sold: expectStatus(await post(trees.sold, publisher.apiKey, replay.body, replay.key), 200),
      keyed: expectStatus(await post(trees.sold, publisher.apiKey, submission(b, { income: b.income })), 200),
      unsold: expectStatus(await post(trees.unsold, publisher.apiKey, submission(c, { income: c.income })), 200),
      held: expectStatus(await post(trees.held, publisher.apiKey, submission(d, { income: d.income })), 200),
    };
    expect(answers).toMatchObject({ sold: { status: "accepted" }, keyed: { status: "accepted" }, unsold: { status: "declined" }, held: { status: "pending" } });
    // Refused at intake, under an Idempotency-Key: its answer is kept in the gate for replays.
    const invalid = await post(trees.sold, publisher.apiKey, idempotentBodies[1], unique("idem"));
    expect(invalid.status).toBeGreaterThanOrEqual(400);
    const leads = { sold: String(answers.sold.leadId), keyed: String(answers.keyed.leadId), unsold: String(answers.unsold.leadId), held: String(answers.held.leadId) };
    await Promise.all(Object.values(leads).map(leadInD1));
    await returnLead(sold.buyerKey, leads.sold, returnReasonOf(a));
    await until("the return's postback", async () => ((await buyerLog(names.postbacks)).some((r) => r.type === "return") ? true : undefined));
    await until("the copy's post", async () => ((await buyerLog(names.copy)).some((r) => r.type === "post") ? true : undefined));
    await until("the copy's trace entry in D1", async () =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM lead_attempts WHERE lead_id = ? AND lead_point_id = ?").bind(leads.sold, copy.id).first<{ n: number }>())?.n ? true : undefined,
    );
    const digests = await Promise.all([
      ...idempotentBodies.map((body) => sha256Hex(`${trees.sold}\n${JSON.stringify(body)}`)),
      ...people.flatMap((person) => [person.email, `+1${person.digits}`, person.digits].map(sha256Hex)),
    ]);
    market = { publisher, sold, trees, leads, digests, replay, soldRedirect: answers.sold.redirectUrl };
  });

  it("posts the PII in the clear to the buyer and to the copy", async () => {
    const [a] = people as [Person];
    for (const name of [names.sold, names.copy]) {
      const sent = (await buyerLog(name)).find((r) => r.type === "post");
      expect(sent?.body, name).toMatchObject({
        fields: { firstName: a.firstName, lastName: a.lastName, email: a.email, phone: `+1${a.digits}`, address: a.address, income: a.income },
        consent: { text: a.consentText, ip: a.consentIp, userAgent: a.userAgent },
      });
    }
  });

  it("shows the PII in the clear to the operator, for a lead in D1 and for one held in its gate", async () => {
    const [a, , , d] = people as [Person, Person, Person, Person];
    const sold = await leadDetail(market.leads.sold);
    expect(sold.fields).toMatchObject({ firstName: a.firstName, email: a.email, phone: `+1${a.digits}`, dateOfBirth: a.dateOfBirth, ip: a.ip, income: a.income });
    expect(sold.consent).toMatchObject({ text: a.consentText, ip: a.consentIp, userAgent: a.userAgent });
    const held = await leadDetail(market.leads.held);
    expect(held).toMatchObject({ status: "pending", fields: { lastName: d.lastName, address: d.address, income: d.income }, consent: { ip: d.consentIp } });
  });

  it("shows the PII in the clear to the buyer that bought the lead", async () => {
    const [a] = people as [Person];
    const page = expectStatus(await asBuyer<{ items: { leadId: string; fields: Row; consent: Row }[] }>(market.sold.buyerKey, "GET", "/leads"), 200);
    expect(page.items.find((item) => item.leadId === market.leads.sold)).toMatchObject({
      fields: { firstName: a.firstName, email: a.email, address: a.address, income: a.income },
      consent: { text: a.consentText, ip: a.consentIp },
      return: { reason: returnReasonOf(a) },
    });
  });

  it("posts the return's reason to the publisher in the clear", async () => {
    const [a] = people as [Person];
    const postback = (await buyerLog(names.postbacks)).find((r) => r.type === "return");
    expect(postback?.body).toMatchObject({ leadId: market.leads.sold, reason: returnReasonOf(a) });
  });

  it("answers the publisher the winning buyer's page as the buyer gave it, in the answer, its replay and its status, and nothing else of the person", async () => {
    const [a] = people as [Person];
    expect(market.soldRedirect).toBe(prefilledPage(a));
    const replayed = expectStatus(await post(market.trees.sold, market.publisher.apiKey, market.replay.body, market.replay.key), 200);
    expect(replayed).toMatchObject({ leadId: market.leads.sold, redirectUrl: prefilledPage(a) });
    const status = expectStatus(await call(`/v1/leads/${market.leads.sold}`, { headers: { "x-api-key": market.publisher.apiKey } }), 200);
    expect(status).toEqual({ leadId: market.leads.sold, status: "accepted", payoutCents: expect.any(Number), redirectUrl: prefilledPage(a) });
  });

  it("shows the operator what the buyers answered in the clear: the redirect page, and the reasons a post and a copy were refused", async () => {
    const [a, , c] = people as [Person, Person, Person];
    const sold = await leadDetail(market.leads.sold);
    expect(sold).toMatchObject({ redirectUrl: prefilledPage(a), sales: [{ redirectUrl: prefilledPage(a) }] });
    expect(sold.trace).toContainEqual(expect.objectContaining({ phase: "post", outcome: "declined", reason: `copy, never billed: we hold ${a.email} already` }));
    const unsold = await leadDetail(market.leads.unsold);
    expect(unsold.trace).toContainEqual(expect.objectContaining({ phase: "post", outcome: "declined", reason: `duplicate: ${c.email}, +1${c.digits}` }));
  });

  it("leaves no plaintext PII, and no plain digest of it, in any row of any D1 table or of any table of the gates' logs or the postback sender", async () => {
    const d1Tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>()).results.map((t) => t.name);
    expect(d1Tables).toEqual(expect.arrayContaining(["leads", "lead_attempts", "sales", "ledger_entries", "returns"]));
    const d1 = await everyRow(d1Tables, async (table) => (await env.DB.prepare(`SELECT * FROM "${table}"`).all<Row>()).results);
    const gates = await Promise.all(
      Object.values(market.trees).map((treeId) =>
        runInDurableObject(treeGate(treeId), (_gate, state) => {
          const sql = state.storage.sql;
          const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((t) => t.name);
          expect(tables).toEqual(expect.arrayContaining(["lead_keys", "lead_log", "post_intents", "idempotency"]));
          return everyRow(tables, (table) => sql.exec<Record<string, SqlStorageValue>>(`SELECT * FROM "${table}"`).toArray());
        }),
      ),
    );
    const postbacks = await runInDurableObject(env.POSTBACK_SENDER.getByName(postbackSenderName(market.publisher.id)), (_sender, state) => {
      const sql = state.storage.sql;
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((t) => t.name);
      expect(tables).toContain("postbacks");
      return everyRow(tables, (table) => sql.exec<Record<string, SqlStorageValue>>(`SELECT * FROM "${table}"`).toArray());
    });
    // The two sales' postbacks and the return's.
    expect(postbacks.filter((r) => r.table === "postbacks")).toHaveLength(3);
    const rows = [...d1, ...gates.flat(), ...postbacks];
    // The scan sees the leads it looks for: each sealed lead's row is there, in D1 and in its gate.
    for (const leadId of Object.values(market.leads)) expect(rows.filter((r) => r.row.includes(leadId.toLowerCase())).map((r) => r.table)).toEqual(expect.arrayContaining(["leads", "lead_log"]));
    // ... and the buyers' answers that quote the person, and the answers kept for Idempotency-Key replays, each as an envelope.
    const sealedIn = (table: string, column: string) => rows.some((r) => r.table === table && r.row.includes(`"${column}":"enc:v1:`));
    expect({
      saleRedirect: sealedIn("sales", "redirect_url"),
      leadRedirect: sealedIn("leads", "redirect_url"),
      refusal: sealedIn("lead_attempts", "reason"),
      kept: sealedIn("idempotency", "response"),
      returned: sealedIn("returns", "reason"),
      postback: sealedIn("postbacks", "body"),
    }).toEqual({ saleRedirect: true, leadRedirect: true, refusal: true, kept: true, returned: true, postback: true });
    const found = [...people.flatMap(needles), ...market.digests].flatMap((needle) => rows.filter((r) => r.row.includes(needle.toLowerCase())).map((r) => `${r.table}: ${needle}`));
    expect(found).toEqual([]);
  });
});

describe("without a usable PII_KEY", () => {
  it.each([
    { name: "no PII_KEY", key: undefined, says: "PII_KEY secret is not set" },
    { name: "a malformed PII_KEY", key: "k1:c2hvcnQ=", says: "not 32 bytes" },
  ])("refuses a lead with a 503 saying what to fix ($name), never storing it in the clear", async ({ key, says }) => {
    const name = unique("nokey");
    const point = await newLeadPoint(name, { bid: 500 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const { PII_KEY: _key, ...rest } = env;
    const response = await createApp().request(
      `/v1/trees/${treeId}/leads`,
      { method: "POST", headers: { "x-api-key": publisher.apiKey, "content-type": "application/json" }, body: JSON.stringify(validLead()) },
      key === undefined ? rest : { ...rest, PII_KEY: key },
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringContaining(says) } });
    expect(await buyerLog(name)).toEqual([]);
  });

  it("answers the operator's lead view 503 naming the key id PII_KEY no longer has", async () => {
    const point = await newLeadPoint(unique("rotated"), { bid: 500 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const answer = expectStatus(await call<{ leadId: string }>(`/v1/trees/${treeId}/leads`, { method: "POST", headers: { "x-api-key": publisher.apiKey, "content-type": "application/json" }, body: JSON.stringify(validLead()) }), 200);
    const withoutTheKey = { ...env, PII_KEY: "other:9CZSUmJHklAIoH86iR9P5p44AUgbq/2epC56eoaOQ1w=" };
    const response = await createApp().request(`/v1/admin/leads/${answer.leadId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, withoutTheKey);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringContaining(`key ${String(env.PII_KEY).split(":")[0]}`) } });
  });
});
