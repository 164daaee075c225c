// What the demo's runs spend their credits on: each LLM receipt with its llm_charge_details row
// (model, provider, tokens, agent), as the application writes a model call's charge. One provider
// reports no USD cost, as some do not; each charter's agent leans on a model of its own.
import type { Charter } from './demo-data.ts';

export const demoModels = [
  { model: 'anthropic/claude-sonnet-4.5', provider: 'anthropic', reportsUsd: true },
  { model: 'openai/gpt-4.1-mini', provider: 'openai', reportsUsd: true },
  { model: 'google/gemini-2.5-flash', provider: 'google', reportsUsd: true },
  { model: 'meta-llama/llama-3.3-70b-instruct', provider: 'together', reportsUsd: false },
] as const;

export type Call = { graphId: string; model: { model: string; provider: string; reportsUsd: boolean } };

/** The agent and model of a run's i-th call: the first plans with the charter's own model, later ones mostly use the cheap ones. */
export function demoCall(charters: readonly Charter[], charter: Charter | undefined, call: number, random: () => number): Call {
  if (!charter) return { graphId: 'langgraph:background', model: demoModels[1] };
  const slug = charter.temporalId.replace(/^governance:/, '');
  const main = Math.max(0, charters.findIndex((candidate) => candidate.temporalId === charter.temporalId)) % demoModels.length;
  const index = call === 0 ? main : random() < 0.6 ? 1 + Math.floor(random() * 3) : main;
  return { graphId: `langgraph:${slug}-steward`, model: demoModels[index]! };
}

/** Another tenant's private model: it must never appear in the public file. */
export const privateCall = (owner: string): Call => ({ graphId: `langgraph:${owner}-private-agent`, model: { model: `${owner}/private-finetune`, provider: 'private', reportsUsd: true } });

/** A call's llm_charge_details row: tokens in proportion to its credits, as a model's price makes them. */
export function detailRow(receiptId: string, call: Call, credits: number, random: () => number) {
  const tokensIn = Math.round(credits / (20 + random() * 30));
  return {
    charge_receipt_id: receiptId, provider_call_id: `call-${receiptId.slice(0, 8)}`, model: call.model.model, provider: call.model.provider,
    tokens_in: tokensIn, tokens_out: Math.round(tokensIn / (3 + random() * 5)), latency_ms: 800 + Math.floor(random() * 9_000), graph_id: call.graphId,
  };
}
