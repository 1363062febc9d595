import { describe, expect, test } from "vitest";
import { createBuyerClient, type BuyerRequest } from "./client";

/** A fetch whose every call waits until the test answers it, counting calls that wait for headers. */
function deferredFetch() {
  type Call = {
    url: string;
    body: string;
    signal: AbortSignal;
    respond(answer?: { status?: number; body?: BodyInit; contentType?: string; contentLength?: number }): void;
    fail(error: unknown): void;
  };
  const calls: Call[] = [];
  const state = { waiting: 0, peak: 0 };
  const fetch: typeof globalThis.fetch = (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init?.signal ?? new AbortController().signal;
      let settled = false;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        state.waiting--;
        action();
      };
      state.waiting++;
      state.peak = Math.max(state.peak, state.waiting);
      // Like the real fetch: an abort before headers rejects with AbortError.
      signal.addEventListener("abort", () => settle(() => reject(new DOMException("The operation was aborted.", "AbortError"))));
      calls.push({
        url: String(input),
        body: String(init?.body),
        signal,
        respond: ({ status = 200, body = '{"accept":true}', contentType = "application/json", contentLength } = {}) =>
          settle(() => {
            const headers: Record<string, string> = { "content-type": contentType };
            if (contentLength !== undefined) headers["content-length"] = String(contentLength);
            resolve(new Response(body, { status, headers }));
          }),
        fail: (error) => settle(() => reject(error)),
      });
    });
  return { fetch, calls, state };
}

/** A response body the test writes to, to keep a buyer "reading" after its headers. */
function slowBody() {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    stream,
    push: (text: string) => controller?.enqueue(new TextEncoder().encode(text)),
    close: () => controller?.close(),
  };
}

/** Lets every pending promise chain run; no wall-clock assertion depends on it. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function request(index: number, deadlineAt = Date.now() + 60_000): BuyerRequest {
  return { url: `https://buyer${index}.example/ping`, headers: { "content-type": "application/json" }, body: String(index), deadlineAt };
}

describe("the six-connection rule", () => {
  test("of 20 sends at most 6 wait for headers at once, and the rest go FIFO as slots free", async () => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch });
    const results = Array.from({ length: 20 }, (_, i) => client.send(request(i)));
    await tick();
    expect(buyers.calls.length).toBe(6);
    for (let i = 0; i < 20; i++) {
      const call = buyers.calls[i];
      expect(call?.body, `call ${i} is send ${i}`).toBe(String(i));
      call?.respond({ body: `{"n":${i}}` });
      await tick();
      expect(buyers.state.waiting).toBeLessThanOrEqual(6);
      expect(buyers.calls.length).toBe(Math.min(20, i + 7));
    }
    const answers = await Promise.all(results);
    expect(answers.map((a) => (a.kind === "response" ? a.body : a.kind))).toEqual(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`));
    expect(buyers.state.peak).toBe(6);
  });

  test("a slot frees when headers arrive even while the body is still coming", async () => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch });
    const results = Array.from({ length: 7 }, (_, i) => client.send(request(i)));
    await tick();
    expect(buyers.calls.length).toBe(6);
    const body = slowBody();
    body.push('{"accept":');
    buyers.calls[0]?.respond({ body: body.stream });
    let firstDone = false;
    void results[0]?.then(() => (firstDone = true));
    await tick();
    expect(buyers.calls.length, "the seventh is sent while the first still reads").toBe(7);
    expect(firstDone).toBe(false);
    body.push("true}");
    body.close();
    const first = await results[0];
    expect(first?.kind === "response" && first.body).toBe('{"accept":true}');
    for (const call of buyers.calls.slice(1)) call.respond();
    await Promise.all(results);
  });

  test("a send still queued at its deadline is a timeout and is never sent", async () => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch });
    const busy = Array.from({ length: 6 }, (_, i) => client.send(request(i)));
    const queued = await client.send(request(6, Date.now() + 25));
    expect(queued.kind).toBe("timeout");
    buyers.calls[0]?.respond();
    await tick();
    expect(buyers.calls.map((c) => c.url)).not.toContain("https://buyer6.example/ping");
    for (const call of buyers.calls) call.respond();
    await Promise.all(busy);
  });

  test("a deadline already past is a timeout without a fetch", async () => {
    const buyers = deferredFetch();
    const answer = await createBuyerClient({ fetch: buyers.fetch }).send(request(0, Date.now() - 1));
    expect(answer.kind).toBe("timeout");
    expect(buyers.calls.length).toBe(0);
  });

  test("the cap is per client: two clients each get their own", async () => {
    const buyers = deferredFetch();
    const a = createBuyerClient({ fetch: buyers.fetch });
    const b = createBuyerClient({ fetch: buyers.fetch });
    const results = [...Array.from({ length: 7 }, (_, i) => a.send(request(i))), ...Array.from({ length: 7 }, (_, i) => b.send(request(i)))];
    await tick();
    expect(buyers.calls.length).toBe(12);
    for (const call of buyers.calls) call.respond();
    await tick();
    expect(buyers.calls.length).toBe(14);
    for (const call of buyers.calls) call.respond();
    expect((await Promise.all(results)).every((r) => r.kind === "response")).toBe(true);
  });
});

describe("deadlines abort the fetch", () => {
  test("sends that share a deadline keep it after one of them has finished", async () => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch });
    const deadlineAt = Date.now() + 30;
    const first = client.send(request(0, deadlineAt));
    const second = client.send(request(1, deadlineAt));
    await tick();
    buyers.calls[0]?.respond();
    expect((await first).kind).toBe("response");
    expect((await second).kind).toBe("timeout");
    expect(buyers.calls[1]?.signal.aborted).toBe(true);
    const later = client.send(request(2, Date.now() + 30));
    expect((await later).kind).toBe("timeout");
  });

  test("no headers by the deadline: the fetch is aborted and the send is a timeout that frees its slot", async () => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch, maxWaitingForHeaders: 1 });
    const slow = client.send(request(0, Date.now() + 20));
    const next = client.send(request(1));
    expect((await slow).kind).toBe("timeout");
    expect(buyers.calls[0]?.signal.aborted).toBe(true);
    await tick();
    buyers.calls[1]?.respond();
    expect((await next).kind).toBe("response");
  });

  test.each([
    { name: "an undeclared length", contentLength: undefined },
    { name: "a declared length", contentLength: 16 },
  ])("a body still unread at the deadline is a timeout, with $name", async ({ contentLength }) => {
    const buyers = deferredFetch();
    const client = createBuyerClient({ fetch: buyers.fetch });
    const result = client.send(request(0, Date.now() + 20));
    await tick();
    const body = slowBody();
    body.push("{");
    buyers.calls[0]?.respond({ body: body.stream, ...(contentLength === undefined ? {} : { contentLength }) });
    expect((await result).kind).toBe("timeout");
    expect(buyers.calls[0]?.signal.aborted).toBe(true);
  });
});

describe("what a buyer can do never throws", () => {
  const stackless = (reason: string) => !reason.includes("\n") && !reason.includes(" at ");
  test.each([
    { name: "a refused connection", fetch: () => Promise.reject(new TypeError("Network connection lost.")), reason: "Network connection lost." },
    { name: "a fetch that throws at once", fetch: () => { throw new TypeError("Invalid URL"); }, reason: "Invalid URL" },
    { name: "a rejection that is no Error", fetch: () => Promise.reject(42), reason: "connection failed" },
    { name: "a multi-line message keeps its first line", fetch: () => Promise.reject(new Error("reset\n    at socket")), reason: "reset" },
    { name: "an answer over the size limit", fetch: () => Promise.resolve(new Response("x".repeat(2000))), reason: "answer larger than 1024 bytes" },
    {
      name: "an answer that declares a length over the limit",
      fetch: () => Promise.resolve(new Response("x".repeat(2000), { headers: { "content-length": "2000" } })),
      reason: "answer larger than 1024 bytes",
    },
    {
      name: "a body that errors midway",
      fetch: () => Promise.resolve(new Response(new ReadableStream({ pull: (c) => c.error(new Error("stream reset")) }))),
      reason: "stream reset",
    },
  ])("$name is a transportError", async ({ fetch, reason }) => {
    const client = createBuyerClient({ fetch: fetch as typeof globalThis.fetch, maxBodyBytes: 1024 });
    const answer = await client.send(request(0));
    expect(answer, JSON.stringify(answer)).toMatchObject({ kind: "transportError", reason });
    expect(answer.kind === "transportError" && stackless(answer.reason)).toBe(true);
  });

  test("a failed send frees its slot", async () => {
    let calls = 0;
    const client = createBuyerClient({
      maxWaitingForHeaders: 1,
      fetch: () => (++calls === 1 ? Promise.reject(new TypeError("refused")) : Promise.resolve(new Response("{}"))),
    });
    const [first, second] = await Promise.all([client.send(request(0)), client.send(request(1))]);
    expect([first.kind, second.kind]).toEqual(["transportError", "response"]);
  });
});

describe("a response", () => {
  test("carries status, body, content type, start and duration by the injected clock", async () => {
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    const client = createBuyerClient({
      now: () => clock,
      fetch: async (_input, init) => {
        clock += 120;
        return new Response(`echo ${String(init?.body)}`, { status: 202, headers: { "content-type": "text/plain" } });
      },
    });
    const answer = await client.send({ ...request(0), body: "hello", deadlineAt: clock + 10_000 });
    expect(answer).toEqual({ kind: "response", status: 202, body: "echo hello", contentType: "text/plain", ms: 120, startedAt: "2026-11-28T12:00:00.000Z" });
  });

  test("sends the method, headers and body it was given", async () => {
    let seen: Request | undefined;
    const client = createBuyerClient({
      fetch: async (input, init) => {
        seen = new Request(input, init);
        return new Response("");
      },
    });
    await client.send({ ...request(3), headers: { "X-Test": "1" } });
    expect(seen?.method).toBe("POST");
    expect(seen?.headers.get("x-test")).toBe("1");
    expect(await seen?.text()).toBe("3");
  });
});
