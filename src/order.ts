// One ordering for everything etcdgen sorts into its output: by code unit, never by locale, so
// the same input sorts the same way on every machine.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator on one text field: `items.sort(byText((f) => f.path))`. */
export function byText<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareText(key(a), key(b));
}
