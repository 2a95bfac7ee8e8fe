// JSON for results files that diff well: indented, but any value short enough stays on one
// line, so a series of samples is one line per sample rather than one per number.
export function prettyJson(value, width = 110, indent = '') {
  const flat = JSON.stringify(value);
  if (
    flat === undefined ||
    value === null ||
    typeof value !== 'object' ||
    flat.length + indent.length <= width
  )
    return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => `${inner}${prettyJson(item, width, inner) ?? 'null'}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value)
    .map(([key, item]) => [key, prettyJson(item, width, inner)])
    .filter(([, text]) => text !== undefined)
    .map(([key, text]) => `${inner}${JSON.stringify(key)}: ${text}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}
