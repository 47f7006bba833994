// Meter management and `meters provision`: every meter aflo-tail's mapping emits, created once by meterApiName.
import { controlRequest, type ControlOptions } from './client.js';
import { BASE_DIMENSIONS, ERROR_CODE, METERS, TOKEN_CACHE, TOKEN_TYPE } from '../mapping/vocabulary.js';

const COMMON = [...BASE_DIMENSIONS, ERROR_CODE];
const TOKEN = [...COMMON, TOKEN_TYPE, TOKEN_CACHE];

/** The meters of the mapping (README, "The mapping"), with the dimensions each can carry. */
export const MAPPED_METERS: { meterApiName: string; label: string; dimensions: string[] }[] = Object.values(METERS).map((m) => (
  { meterApiName: m.name, label: m.label, dimensions: m.tokens ? TOKEN : COMMON }));

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
