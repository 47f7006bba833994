// recognise() at the top level and baseDimensions() of src/mapping (recognise.ts, dimensions.ts) for a plain entry.
#include "entry_mapper.h"

namespace aflo {

void EntryMapper::dimensions(int32_t meta) {
  int32_t map_info = f_.obj(f_.get(0, "model_map_information"));
  auto call_type = f_.text(f_.get(0, "call_type"));
  auto provider = first_text(f_.get(0, "custom_llm_provider"), f_.at(map_info, "model_map_value", "litellm_provider"));
  // Worked out in any order, written in the order vocabulary.ts gives (a text value, or JSON text for the rest).
  std::optional<std::string_view> text[kDims];
  std::optional<std::string_view> json[kDims];
  if (meta >= 0) {
    text[kBusinessUnit] = first_text(f_.at(meta, "user_api_key_auth_metadata", "business_unit_id"),
                                     f_.get(meta, "user_api_key_team_id"), f_.get(meta, "team_id"),
                                     f_.get(meta, "user_api_key_team_alias"));
  }
  text[kUsecase] = call_type;
  text[kProvider] = provider;
  text[kPlatform] = provider;
  text[kModel] = f_.text(f_.get(0, "model"));
  if (map_info >= 0) text[kSku] = first_text(f_.get(map_info, "model_map_key"), f_.at(map_info, "model_map_value", "key"));
  text[kUser] = first_text(f_.get(0, "user"), f_.get(0, "end_user"), f_.get(meta, "user_api_key_end_user_id"));
  text[kKeyName] = f_.text(f_.get(meta, "user_api_key_alias"));
  json[kHostedEnv] = opts_.hosted_env;
  json[kRegion] = region(f_.text(f_.get(0, "api_base")));
  if (!json[kRegion]) json[kRegion] = region(f_.text(f_.at(0, "hidden_params", "api_base")));
  bool batch = call_type && contains(opts_.batch_calls, *call_type);
  if (!batch) batch = non_empty(f_.at(0, "hidden_params", "batch_models")) || non_empty(f_.get(meta, "batch_models"));
  json[kBatch] = batch ? "\"y\"" : "\"n\"";
  auto tier = first_text(f_.at(0, "model_parameters", "service_tier"), f_.at(0, "response", "service_tier"),
                         f_.get(U_, "service_tier"));
  if (tier && contains(opts_.tiers, *tier)) text[kTier] = tier;
  else json[kTier] = "\"n\"";
  for (Dim d : opts_.dims) {
    if (text[d]) put(d, text[d]);
    else if (json[d]) put_json(d, *json[d]);
  }
  if (f_.equals(f_.get(0, "status"), "failure")) {
    auto code = f_.text(f_.at(0, "error_information", "error_code"));
    // LiteLLM logs a rejected key or team as a ProxyException with an empty code: Amberflo's callback says 401.
    auto error_class = code ? code : f_.text(f_.at(0, "error_information", "error_class"));
    std::string_view c = code ? *code : error_class && *error_class == "ProxyException" ? "401" : "unknown";
    if (c.size() > kMaxDimension) throw BailOut{};
    if (pairs_ > 0) error_ += ',';
    error_ += '"';
    error_ += opts_.error_key;
    error_ += "\":\"";
    error_ += c;
    error_ += '"';
  }
}

}  // namespace aflo
