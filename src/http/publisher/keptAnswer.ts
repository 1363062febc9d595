/**
 * An answer as an Idempotency-Key record keeps it: status aside (the record
 * has its own column), the headers and the body text, so that a replay of a
 * 302, an XML answer or a built-in page is the same bytes with the same
 * Content-Type and Location as the first answer.
 */
import { z } from "zod";

const KeptAnswerSchema = z.object({ headers: z.array(z.tuple([z.string(), z.string()])), body: z.string() });
type KeptAnswer = z.infer<typeof KeptAnswerSchema>;

export async function keepAnswer(response: Response): Promise<string> {
  const kept: KeptAnswer = { headers: [...response.headers], body: await response.clone().text() };
  return JSON.stringify(kept);
}

export function keepErrorBody(body: unknown): string {
  const kept: KeptAnswer = { headers: [["content-type", "application/json"]], body: JSON.stringify(body) };
  return JSON.stringify(kept);
}

/** Records written before answers kept their headers hold the JSON body alone; they live a day at most. */
function readKept(text: string): KeptAnswer {
  try {
    const parsed = KeptAnswerSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON at all: kept as the body it is.
  }
  return { headers: [["content-type", "application/json"]], body: text };
}

export function replayAnswer(status: number, text: string): Response {
  const kept = readKept(text);
  const headers = new Headers(kept.headers);
  headers.set("idempotent-replay", "true");
  // An empty body as null: a string body, even "", would add a Content-Type the first answer (a 302) did not have.
  return new Response(kept.body || null, { status, headers });
}
