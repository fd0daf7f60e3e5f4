/**
 * JSON the way MLflow's server writes it (mlflow/utils/proto_json_utils.py `message_to_json`,
 * 2.12): protobuf's JSON mapping with the original field names, int64 fields as JSON numbers,
 * doubles that are NaN or infinite as the strings "NaN", "Infinity", "-Infinity", and unset
 * fields left out. Repeated fields with no elements are unset in protobuf, so an empty array is
 * left out too (`{"experiments": []}` is answered as `{}`); MLflow's clients read a missing list
 * as empty, and so must ours.
 */

/** Serialises a response body with protobuf's JSON conventions (see the module comment). */
export function toProtoJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    }
    if (Array.isArray(v) && v.length === 0) return undefined;
    return v;
  });
}

/**
 * A protobuf JSON double: a number, or a string holding a number, "NaN", "Infinity" or
 * "-Infinity" (what protobuf's parser accepts).
 */
export function parseProtoDouble(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** A protobuf JSON int64: a number or a decimal string. */
export function parseProtoInt(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}
