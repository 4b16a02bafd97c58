/** Builds `SET a = :a, b = :b` (and `REMOVE` for undefined values) for a single-item UpdateItem. */
export function buildSetExpression(fields: Record<string, unknown>, prefix = 'f') {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(fields).forEach(([field, value], index) => {
    const name = `#${prefix}${index}`;
    names[name] = field;
    if (value === undefined) {
      removes.push(name);
    } else {
      values[`:${prefix}${index}`] = value;
      sets.push(`${name} = :${prefix}${index}`);
    }
  });
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return { expression, names, values };
}
