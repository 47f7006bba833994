// Meter management and `meters provision`: every meter aflo-tail's mapping emits, created once by meterApiName.
import { controlRequest, type ControlOptions } from './client.js';

const COMMON = ['business_unit_id', 'usecase', 'provider', 'platform', 'model', 'sku', 'user', 'keyName', 'hostedEnv', 'region', 'batch', 'tier', 'error_code'];
const TOKEN = [...COMMON, 'type', 'cache'];

/** The meters of the mapping (README, "The mapping"), with the dimensions each can carry. */
export const MAPPED_METERS: { meterApiName: string; label: string; dimensions: string[] }[] = [
  { meterApiName: 'llm_text_tokens', label: 'LLM text tokens', dimensions: TOKEN },
  { meterApiName: 'llm_reasoning_tokens', label: 'LLM reasoning tokens', dimensions: TOKEN },
  { meterApiName: 'llm_audio_tokens', label: 'LLM audio tokens', dimensions: TOKEN },
  { meterApiName: 'llm_image_tokens', label: 'LLM image tokens', dimensions: TOKEN },
  { meterApiName: 'llm_citation_tokens', label: 'LLM citation tokens', dimensions: TOKEN },
  { meterApiName: 'llm_requests', label: 'LLM requests', dimensions: COMMON },
  { meterApiName: 'llm_seconds', label: 'LLM request seconds', dimensions: COMMON },
  { meterApiName: 'llm_audio_seconds', label: 'LLM audio seconds', dimensions: COMMON },
  { meterApiName: 'llm_video_seconds', label: 'LLM video seconds', dimensions: COMMON },
  { meterApiName: 'llm_characters', label: 'LLM characters', dimensions: COMMON },
  { meterApiName: 'llm_pixels', label: 'LLM image pixels', dimensions: COMMON },
  { meterApiName: 'llm_images', label: 'LLM images', dimensions: COMMON },
];

export interface MeterFields { label?: string; meterApiName?: string; meterType?: string }

export const listMeters = (o: ControlOptions) => controlRequest(o, 'GET', '/meters', undefined, 'meters');
export const getMeter = (o: ControlOptions, id: string) => controlRequest(o, 'GET', `/meters/${encodeURIComponent(id)}`, undefined, `meter ${id}`);
export const createMeter = (o: ControlOptions, body: object) => controlRequest(o, 'POST', '/meters', body);
export const updateMeter = (o: ControlOptions, id: string, body: object) => controlRequest(o, 'PUT', '/meters', { ...body, id }, `meter ${id}`);
export const deleteMeter = (o: ControlOptions, id: string) => controlRequest(o, 'DELETE', `/meters/${encodeURIComponent(id)}`, undefined, `meter ${id}`);

/** Creates the meters of a mapping profile that do not exist yet; running it twice changes nothing. */
export async function provisionMeters(o: ControlOptions, dryRun: boolean, meters = MAPPED_METERS): Promise<{ created: string[]; existing: string[] }> {
  const current = await listMeters(o);
  const list = Array.isArray(current) ? current : ((current as { items?: unknown[] }).items ?? []);
  const have = new Set(list.map((m) => (m as { meterApiName?: string }).meterApiName));
  const created: string[] = [];
  const existing: string[] = [];
  for (const m of meters) {
    if (have.has(m.meterApiName)) { existing.push(m.meterApiName); continue; }
    created.push(m.meterApiName);
    if (!dryRun) await createMeter(o, { label: m.label, meterApiName: m.meterApiName, meterType: 'sum_of_all_usage', dimensions: m.dimensions });
  }
  return { created, existing };
}
