// The load generator: configures a tree (in leadtree through its operator
// API, in the baseline through its one route), then submits distinct valid
// leads with autocannon at a fixed concurrency, bounded in count and time.
// Only loopback addresses are ever targeted.

import autocannon from "autocannon";

const ADMIN_TOKEN = "dev-admin-token";
const AREA_CODES = ["212", "646", "917", "332"];

function timeoutSignal(ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms).unref();
  return controller.signal;
}

function assertLoopback(base) {
  const { hostname } = new URL(base);
  if (!(hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname))) {
    throw new Error(`refusing to send load to ${hostname}: loopback only`);
  }
}

/** A valid lead, distinct for every (run, n): its own click id, email and phone. */
export function makeLead(run, n) {
  const area = AREA_CODES[n % AREA_CODES.length];
  const exchange = 200 + (Math.floor(n / 10_000) % 700);
  const line = String(n % 10_000).padStart(4, "0");
  return {
    firstName: "John",
    lastName: "Smith",
    email: `john.smith.${run}.${n}@gmail.com`,
    phone: `+1${area}${exchange === 555 ? 556 : exchange}${line}`,
    zip: "10001",
    clickId: `bench-${run}-${n}`,
    consent: {
      text: "I agree to be contacted by phone and email about my request, including by automated means.",
      // Each consumer from its own address (the benchmarking range, RFC 2544), as real traffic is, so no consumer object is a hot spot.
      ip: `198.18.${(n >> 8) & 255}.${n & 255}`,
      timestamp: new Date().toISOString(),
      pageUrl: "https://example.com/quote",
    },
  };
}

async function request(base, method, path, { headers = {}, body } = {}) {
  assertLoopback(base);
  const response = await fetch(new URL(path, base), {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: timeoutSignal(15_000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 1000)}`);
  }
  return json;
}

/** Polls until `base` answers any HTTP status on one of `paths`; false on timeout. */
export async function waitForHttp(base, { paths = ["/openapi.json", "/"], timeoutMs = 60_000, isAlive = () => true } = {}) {
  assertLoopback(base);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive()) return false;
    for (const path of paths) {
      try {
        await fetch(new URL(path, base), { signal: timeoutSignal(2000) });
        return true;
      } catch {
        // not up yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * The operator's side of leadtree for the benchmark: one publisher, and one
 * buyer with one dynamic-priced ping/post lead point per simulated buyer.
 */
export async function provisionLeadtree(base, buyerUrls) {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const publisher = await request(base, "POST", "/v1/admin/publishers", {
    headers: auth,
    body: { name: "bench publisher", payout: { type: "revshare", percent: 50 } },
  });
  const leadPointIds = [];
  // A few at a time: each lead point is two operator calls.
  for (let i = 0; i < buyerUrls.length; i += 8) {
    const batch = buyerUrls.slice(i, i + 8).map(async (url, j) => {
      const buyer = await request(base, "POST", "/v1/admin/buyers", { headers: auth, body: { name: `bench buyer ${i + j}` } });
      const point = await request(base, "POST", "/v1/admin/lead-points", {
        headers: auth,
        body: {
          buyerId: buyer.id,
          name: `bench buyer ${i + j} ping/post`,
          kind: "ping_post",
          ping: { url },
          post: { url },
          pricing: { type: "dynamic" },
          // Every lead is a new consumer (makeLead), so this costs the lookup and never skips a buyer.
          dedupeDays: 30,
          // Dynamic bidding on time of day and score, evaluated on every bid (one of them always fires).
          bidRules: [
            { name: "evening", when: [{ field: "hour", op: "gte", value: 18 }], adjustCents: 100 },
            { name: "good score", when: [{ field: "score", op: "gte", value: 0 }], multiplier: 1.1 },
          ],
        },
      });
      return point.id;
    });
    leadPointIds.push(...(await Promise.all(batch)));
  }
  return { apiKey: publisher.apiKey, publisherId: publisher.id, leadPointIds };
}

/**
 * Puts a one-tier auction tree over the first `buyers` lead points, with the
 * duplicate-consumer rule on (makeLead's leads never repeat a consumer, so it
 * declines none) and bids ranked by expected value (rates from the isolate's
 * memory).
 */
export async function putLeadtreeTree(base, treeId, leadPointIds, { timeoutSeconds = 1 } = {}) {
  await request(base, "PUT", `/v1/admin/ping-trees/${encodeURIComponent(treeId)}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    body: {
      name: `bench ${treeId}`,
      vertical: "bench",
      duplicates: { fields: ["phone", "email"], days: 30, action: "decline" },
      tiers: [
        {
          name: "main",
          mode: "auction",
          rank: "expected_value",
          positions: leadPointIds.map((leadPointId) => ({ leadPointId, timeoutSeconds })),
        },
      ],
    },
  });
}

/**
 * Submits `count` distinct leads (makeLead(tag, offset + n)), `concurrency`
 * at a time, with plain fetch: for the profile and the comparison, which
 * want a fixed number of sold leads rather than autocannon's timed rounds.
 * Throws on a lead that is not sold. Answers the latency's p50 and p99 (ms).
 */
export async function driveLeads(url, apiKey, { count, concurrency, tag, offset = 0 }) {
  assertLoopback(url);
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = offset + next++;
        const started = performance.now();
        const response = await fetch(url, { method: "POST", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify(makeLead(tag, n)), signal: timeoutSignal(15_000) });
        const text = await response.text();
        if (!response.ok || !text.includes(`"${SOLD}"`)) throw new Error(`lead ${n} was not sold: ${response.status} ${text.slice(0, 300)}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const { p50, p99 } = summarise(latencies);
  return { p50, p99 };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** p50/p95/p99/mean/min/max of a list of numbers. */
export function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** What both systems answer for a sold lead (`{"status":"accepted"}`): anything else was not a sale. */
export const SOLD = "accepted";

/**
 * Submits distinct leads at `connections` concurrency for at most
 * `maxSeconds`. With `rampSeconds`, answers that arrive before then are the
 * ramp (`samples` leaves them out): the load is then in its steady state for
 * the measured window, which ends when `maxSeconds` is reached or `measured`
 * answers are in, whichever comes first. Without a ramp the window starts
 * with the first request and `measured` also bounds the requests sent, so a
 * run at concurrency 1 ends on its last answer.
 *
 * Returns every answered request of the window with its latency (ms), status,
 * whether it was a sale and, for 2xx answers, the lead id and outcome from the
 * body; `failures`, the first answers that were not sales (status and body);
 * autocannon's client-side `errors` (timeouts included) and `timeouts` over
 * the whole run; and `elapsedS`, the window's length.
 */
export function runLoad({ url, headers = {}, connections, measured, maxSeconds, rampSeconds = 0, makeBody, timeoutSeconds = 10 }) {
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const samples = [];
    const failures = [];
    let ramp = 0;
    let last;
    const started = performance.now();
    const windowStart = started + rampSeconds * 1000;
    let windowEnd;
    let lastAt;
    const instance = autocannon(
      {
        url,
        connections,
        // Without a ramp autocannon itself stops after `measured` answers.
        amount: rampSeconds > 0 ? undefined : measured,
        duration: maxSeconds + 1,
        sampleInt: 100,
        timeout: timeoutSeconds,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        requests: [
          {
            method: "POST",
            setupRequest: (req) => ({ ...req, body: JSON.stringify(makeBody()) }),
            onResponse: (status, body) => {
              last = { status, body };
            },
          },
        ],
      },
      (error, result) => {
        clearTimeout(stopTimer);
        if (error) return reject(error);
        const end = windowEnd ?? lastAt ?? performance.now();
        resolve({ samples, ramp, failures, errors: result.errors, timeouts: result.timeouts, elapsedS: Math.max(0, end - windowStart) / 1000 });
      },
    );
    const stop = () => {
      if (windowEnd === undefined) windowEnd = performance.now();
      instance.stop();
    };
    const stopTimer = setTimeout(stop, maxSeconds * 1000);
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      const body = last?.body ?? "";
      last = undefined;
      if (windowEnd !== undefined) return;
      lastAt = performance.now();
      if (lastAt < windowStart) {
        ramp++;
        return;
      }
      const sample = { ms: responseTime, status: statusCode };
      if (statusCode >= 200 && statusCode < 300) {
        try {
          const parsed = JSON.parse(body);
          sample.leadId = parsed.leadId;
          sample.outcome = parsed.status;
        } catch {
          sample.outcome = "unparsed";
        }
      }
      sample.sold = sample.outcome === SOLD;
      if (!sample.sold && failures.length < 5) failures.push({ status: statusCode, body: String(body).slice(0, 500) });
      samples.push(sample);
      if (rampSeconds > 0 && samples.length >= measured) stop();
    });
  });
}
