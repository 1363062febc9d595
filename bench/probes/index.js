// Probe routes for `npm run bench:probe` (bench/probe.mjs): one building
// block of a lead's path each, shaped like leadtree's (a warm Durable Object
// call, a call back into the caller's RpcTarget, the consumer visit's read,
// SQL in an object's turn, the lead log's D1 inserts in their forms,
// sealing a lead's PII value by value and as one envelope). The driver
// subtracts the bare route, so each figure is the block alone.
import { DurableObject, RpcTarget } from "cloudflare:workers";

const encoder = new TextEncoder();
const TRACE_COLUMNS = ["leadId", "seq", "treeId", "leadPointId", "cycle", "phase", "outcome", "startedAt", "ms", "bidCents", "httpStatus", "reason", "bidRules", "ranking"];
const TRACE_NAMES = ["lead_id", "seq", "tree_id", "lead_point_id", "cycle", "phase", "outcome", "started_at", "ms", "bid_cents", "http_status", "reason", "bid_rules", "ranking"];
const LEADS_PER_BATCH = 40;
/** A bench lead's PII as leadtree seals it: four fields, the consent's text and IP, one signal's detail, the user agent. */
const PII_VALUES = ["Jane", "Doe", "jane.doe@example.com", "+12125550123", "By submitting I agree that Acme Insurance and its partners may call me at the number above.", "203.0.113.7", "no street address given", "Mozilla/5.0 (X11; Linux x86_64)"];

class Relay extends RpcTarget {
  ping(jobs) {
    return jobs.map((job) => ({ kind: "bid", leadPointId: job.id, bidCents: 1000 }));
  }
}

export class Probe extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS probe (k TEXT PRIMARY KEY, v TEXT);
      CREATE TABLE IF NOT EXISTS arrivals (hash TEXT NOT NULL, lead_id TEXT NOT NULL, field TEXT NOT NULL, tree_id TEXT NOT NULL, lead_key TEXT NOT NULL,
        at INTEGER NOT NULL, keep_until INTEGER NOT NULL, PRIMARY KEY (hash, lead_key));
      CREATE INDEX IF NOT EXISTS arrivals_by_time ON arrivals (hash, at);
      CREATE TABLE IF NOT EXISTS purchases (hash TEXT NOT NULL, buyer_id TEXT NOT NULL, lead_id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (hash, buyer_id, lead_id));`);
  }

  nothing() {
    return 1;
  }

  async callBack(relay) {
    const bids = await relay.ping([0, 1, 2, 3].map((i) => ({ id: `lp_${i}`, deadlineAt: Date.now() + 1000 })));
    return bids.length;
  }

  /**
   * The consumer visit's read (src/objects/consumers.ts) for three new keys:
   * its row limit bound as a parameter, or written into the statement as
   * leadtree writes it.
   */
  visitRead(boundLimit) {
    const sql = this.ctx.storage.sql;
    const hash = () => crypto.getRandomValues(new Uint8Array(32)).reduce((hex, byte) => hex + byte.toString(16).padStart(2, "0"), "");
    const [phone, email, ip] = [hash(), hash(), hash()];
    const read = `SELECT hash, lead_id, tree_id, at, NULL AS buyer_id FROM arrivals WHERE hash IN (?, ?, ?) AND at > ? AND lead_key != ?
      UNION ALL SELECT hash, lead_id, NULL, at, buyer_id FROM purchases WHERE hash IN (?, ?) LIMIT ${boundLimit ? "?" : "256"}`;
    const limit = boundLimit ? [256] : [];
    return sql.exec(read, phone, email, ip, 0, "lead-key", phone, email, ...limit).toArray().length;
  }

  write(statements) {
    for (let i = 0; i < statements; i++) this.ctx.storage.sql.exec("INSERT OR REPLACE INTO probe (k, v) VALUES (?, ?)", `k${i}`, "v");
    return statements;
  }
}

let traceBatch = 0;
function traceRows() {
  const rows = [];
  for (let lead = 0; lead < LEADS_PER_BATCH; lead++) {
    const leadId = `ld_${(traceBatch++).toString(16)}_${Math.random().toString(16).slice(2)}`;
    for (let seq = 0; seq < 11; seq++) {
      rows.push({
        leadId, seq, treeId: "probe", leadPointId: `lp_${seq}`, cycle: 1, phase: seq < 10 ? "ping" : "post", outcome: "accepted",
        startedAt: new Date().toISOString(), ms: 3, bidCents: 1234, httpStatus: 200, reason: null,
        bidRules: JSON.stringify([{ index: 1, name: "good score", beforeCents: 570, afterCents: 627 }]),
        ranking: JSON.stringify({ postAcceptRate: 1, posts: 0, postAccepts: 0, returnRate: 0, sales: 0, returns: 0, expectedValueCents: 627 }),
      });
    }
  }
  return rows;
}

/** A lead's row as leadtree's lead log sends it to D1: 24 columns, its PII sealed. */
const LEAD_ROW = {
  id: "", tree_id: "probe", tree_version: 1, publisher_id: "pub_195e486bb18df7ae0a2a", vertical: "bench", click_id: "bench-mx6koesww-285", sub_id: null, sub_id2: null, sub_id3: null,
  status: "accepted", score: 95,
  signals: JSON.stringify([{ name: "address_missing", points: -5, detail: "enc:v1:dev1:UQNDRCQ1R18F7WSI:EQFUHpoTsUdj4ykdm4rfpTYvGdwWgFJZwdKzk25NktIuurUFf0+H5DU=" }]),
  fields: JSON.stringify({ firstName: "enc:v1:dev1:R/Y0wd2S0pPP83QB:SXzfZlUlobM3NmcciML9hooCvflbvQ==", lastName: "enc:v1:dev1:eu8Y5vWhntREwYH0:1W9oUQsEhwEiX4fJpkoTvj/Bijji30k=", email: "enc:v1:dev1:keFQf/dKSEc7tZO8:WZ10n8Ka4W8zlk02VwXN47PAQiFqvo81IYsM5UWwLuZw4xHI+uKl/mL1ZSMl2Wfye45AUA==", phone: "enc:v1:dev1:DIP5/fdKcDd0OAxU:glRG8/M1hYL4t2yNVTArGkBunB2Zn1XGxJdNtq5J", zip: "10001", city: "New York", state: "NY" }),
  consent: JSON.stringify({ text: `enc:v1:dev1:mIzf2KJUoIobRSnW:${"7XvuIABCC2kKB1FnLx8/9UsVvWF7".repeat(5)}`, ip: "enc:v1:dev1:YLkoVb2XpTrWscS1:RdTQ0Mjw3kpHxPfPm1cUNHfk8JYvCRV5aNRcFo4=", timestamp: "2026-12-02T20:22:39.311Z", pageUrl: "https://example.com/quote", textSha256: "2a718c1ae8ee0c2dfe109012a679695af2ec1116408db3e5198073c166c2b843" }),
  reason: null, redirect_url: null, price_cents: 2077, payout_cents: 1038, ms: 173, received_at: "2026-12-02T20:22:39.353Z", completed_at: "2026-12-02T20:22:39.536Z", cause: null, duplicate_of: null, score_weights_version: 0,
};
const LEAD_NAMES = Object.keys(LEAD_ROW);

let leadBatch = 0;
function leadRows() {
  return Array.from({ length: LEADS_PER_BATCH }, () => ({ ...LEAD_ROW, id: `ld_${(leadBatch++).toString(16)}_${Math.random().toString(16).slice(2)}` }));
}

/**
 * leadtree's lead log insert (src/store/leadLog.ts): INSERT … SELECT from one
 * JSON parameter of rows, as objects (`$.name`) or arrays (index), read
 * straight from json_each or out of a MATERIALIZED CTE first (leadtree's).
 */
async function insertRows(db, table, names, rows, { positional, materialized }) {
  const source = materialized ? "v" : "value";
  const values = names.map((name, i) => (positional ? `${source} ->> ${i}` : `${source} ->> '$.${name}'`)).join(", ");
  const parameter = JSON.stringify(positional ? rows.map((row) => names.map((name) => row[name])) : rows);
  const sql = materialized
    ? `WITH r (v) AS MATERIALIZED (SELECT value FROM json_each(?)) INSERT INTO ${table} (${names.join(", ")}) SELECT ${values} FROM r WHERE true ON CONFLICT DO NOTHING`
    : `INSERT INTO ${table} (${names.join(", ")}) SELECT ${values} FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;
  await db.batch([db.prepare(sql).bind(parameter)]);
}

async function insertTrace(db, form) {
  await db.exec(`CREATE TABLE IF NOT EXISTS lead_attempts (${TRACE_NAMES.join(", ")}); CREATE UNIQUE INDEX IF NOT EXISTS lead_attempts_pk ON lead_attempts (lead_id, seq);`);
  const rows = traceRows().map((row) => Object.fromEntries(TRACE_COLUMNS.map((column, i) => [TRACE_NAMES[i], row[column]])));
  await insertRows(db, "lead_attempts", TRACE_NAMES, rows, form);
}

async function insertLeads(db, form) {
  await db.exec(`CREATE TABLE IF NOT EXISTS leads (${LEAD_NAMES.map((name) => (name === "id" ? "id PRIMARY KEY" : name)).join(", ")});`);
  await insertRows(db, "leads", LEAD_NAMES, leadRows(), form);
}

let sealKey;
async function seal(value) {
  sealKey ??= await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, sealKey, encoder.encode(JSON.stringify(value)));
  return ciphertext.byteLength;
}

/** Runs `block` `times` one after the other: a single call is under the bare route's noise. */
const repeat = (times, block) => async (env) => {
  for (let i = 0; i < times; i++) await block(env);
};

const ROUTES = {
  "/none": async () => 0,
  "/object-call": repeat(10, (env) => env.PROBE.getByName("probe").nothing()),
  "/object-call-back": repeat(10, (env) => env.PROBE.getByName("probe").callBack(new Relay())),
  "/object-visit-read": repeat(10, (env) => env.PROBE.getByName("probe").visitRead(false)),
  "/object-visit-read-bound-limit": repeat(10, (env) => env.PROBE.getByName("probe").visitRead(true)),
  "/object-commit": repeat(10, (env) => env.PROBE.getByName("probe").write(1)),
  "/object-commit-10-rows": repeat(10, (env) => env.PROBE.getByName("probe").write(10)),
  "/d1-batch-empty": (env) => env.DB.batch([env.DB.prepare("SELECT 1")]),
  "/d1-trace-objects": (env) => insertTrace(env.DB, { positional: false, materialized: false }),
  "/d1-trace-arrays": (env) => insertTrace(env.DB, { positional: true, materialized: false }),
  "/d1-trace-arrays-materialized": (env) => insertTrace(env.DB, { positional: true, materialized: true }),
  "/d1-leads-arrays": (env) => insertLeads(env.DB, { positional: true, materialized: false }),
  "/d1-leads-arrays-materialized": (env) => insertLeads(env.DB, { positional: true, materialized: true }),
  "/seal-each": repeat(10, () => Promise.all(PII_VALUES.map(seal))),
  "/seal-one": repeat(10, () => seal(PII_VALUES)),
};

export default {
  async fetch(request, env) {
    const route = ROUTES[new URL(request.url).pathname];
    if (!route) return new Response(`routes: ${Object.keys(ROUTES).join(" ")}`, { status: 404 });
    await route(env);
    return new Response("ok");
  },
};
