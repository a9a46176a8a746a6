// V8 compiles a loop for the kind of elements the arrays it sees hold. A fresh `[]` holds small integers until its
// first push of a string or an object; code compiled for the arrays of the cycle before is thrown away when the next
// cycle's new array arrives still in the other kind (a deoptimization, and that cycle's pass then runs slowly while it
// is compiled again). Arrays made afresh each cycle on a hot path are made in their final kind from the start.

/** An empty array whose elements are objects or strings from the start. */
export function emptyObjects<T>(): T[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as T[];
}
