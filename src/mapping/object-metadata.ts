// The aflo.object_metadata events: business units and `team` virtual tags for Amberflo to create, one event per object.
import type { Obj } from '../entries/recognise.js';
import { at, firstText, text } from './fields.js';

export const OBJECT_METADATA_METER = 'aflo.object_metadata';

/** The objects an entry's metadata names; `name` / `label` are null without a team alias (as the callback sends). */
export function objectMetadataList(meta: Obj): object[] {
  const bu = text(at(meta, 'user_api_key_auth_metadata.business_unit_id'));
  const teamId = firstText([meta.user_api_key_team_id, meta.team_id]);
  const label = text(meta.user_api_key_team_alias) ?? null;
  const tag = (parent: string) => ({
    type: 'virtual_tag', name: 'team', value: teamId, label, parentName: 'businessUnitId', parentValue: parent,
  });
  if (bu && teamId) return [tag(bu)];
  if (bu) return [{ type: 'business_unit', id: bu, name: bu }];
  if (teamId) return [{ type: 'business_unit', id: teamId, name: label }, tag(teamId)];
  return [];
}
