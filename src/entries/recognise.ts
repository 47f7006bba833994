// Decides whether a parsed JSON value is a LiteLLM usage entry, unwrapping the known wrappers and SpendLogs rows.
import { parseJson } from './json-text.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function given(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== 'None';
}

/** A SpendLogs row carries `metadata` (and often messages/response) as JSON-encoded strings; make it look like an SLP. */
function normaliseSpendLogs(o: Obj): Obj {
  const out: Obj = { ...o };
  for (const key of ['metadata', 'messages', 'response', 'request_tags', 'hidden_params', 'model_parameters']) {
    const v = o[key];
    if (typeof v === 'string') {
      const parsed = parseJson(v);
      out[key] = parsed.ok ? parsed.value : undefined;
    }
  }
  const meta: Obj = isObj(out.metadata) ? { ...out.metadata } : {};
  if (!given(meta.team_id) && given(o.team_id)) meta.team_id = o.team_id;
  out.metadata = meta;
  if (!isObj(out.model_map_information) && isObj(meta.model_map_information)) out.model_map_information = meta.model_map_information;
  if (!isObj(out.error_information) && isObj(meta.error_information)) out.error_information = meta.error_information;
  return out;
}

function hasUsage(o: Obj): boolean {
  const meta = o.metadata;
  if (given(o.prompt_tokens) || given(o.response_cost) || given(o.spend)) return true;
  if (isObj(meta) && given(meta.usage_object)) return true;
  if (typeof meta === 'string' && meta.includes('usage_object')) return true;
  return false;
}

/** The SLP test of docs/mapping.md §1; `wrapped` relaxes the id rule for objects found under `standard_logging_object`. */
function looksLikeSlp(o: Obj, wrapped: boolean): boolean {
  const hasId = given(o.id) || given(o.request_id) || (wrapped && given(o.litellm_call_id));
  if (!hasId && !wrapped) return false;
  if (!given(o.call_type) && !given(o.status)) return false;
  return hasUsage(o);
}

function accept(o: Obj, inherited: Obj | undefined): Obj {
  const norm = typeof o.metadata === 'string' || 'spend' in o ? normaliseSpendLogs(o) : o;
  if (inherited && !given(norm.litellm_call_id) && given(inherited.litellm_call_id)) {
    return { ...norm, litellm_call_id: inherited.litellm_call_id };
  }
  return norm;
}

/** Returns the SLP inside `value`, or undefined when it is not usage. Never throws. */
export function recognise(value: unknown, depth = 0, wrapped = false, outer?: Obj): Obj | undefined {
  if (!isObj(value) || depth > 4) return undefined;
  if (looksLikeSlp(value, wrapped)) return accept(value, outer);
  const slo = value.standard_logging_object;
  if (isObj(slo)) return recognise(slo, depth + 1, true, value);
  const kwargs = value.kwargs;
  if (isObj(kwargs) && isObj(kwargs.standard_logging_object)) {
    return recognise(kwargs.standard_logging_object, depth + 1, true, kwargs);
  }
  for (const key of ['payload', 'data', 'message', 'log', 'msg']) {
    const inner = value[key];
    if (isObj(inner)) {
      const found = recognise(inner, depth + 1);
      if (found) return found;
    } else if (typeof inner === 'string' && inner.length > 1 && inner.includes('{')) {
      const at = inner.indexOf('{');
      const parsed = parseJson(inner.slice(at).trim());
      if (parsed.ok) {
        const found = recognise(parsed.value, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}
