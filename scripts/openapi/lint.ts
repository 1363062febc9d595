/**
 * redocly's `recommended` rules over the OpenAPI document: what a client
 * generator, Postman or an API gateway would stumble on.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";

export interface Problem {
  severity: "error" | "warn";
  rule: string;
  message: string;
  /** A JSON pointer into the document. */
  where: string;
}

export async function lintOpenApi(document: unknown): Promise<Problem[]> {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: "openapi.json", config });
  return problems.map((problem) => ({ severity: problem.severity, rule: problem.ruleId, message: problem.message, where: problem.location[0]?.pointer ?? "#" }));
}

export function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.severity} ${p.rule} at ${p.where}: ${p.message}`).join("\n");
}
