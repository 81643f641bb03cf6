//! One small stable sort for the whole engine.
//!
//! The standard library's `sort` is compiled anew for every element type, a few
//! kilobytes each; in the playground's wasm those copies added up to tens of kilobytes.
//! Here the sorting itself (a merge sort over positions) is compiled once, and each
//! element type adds only its comparison and a permutation by swaps. The lists sorted
//! are short (diagnostics, findings, command names, edits), so the extra indirection
//! costs nothing that shows.

/// The stable order of `0..n` by `less`: a bottom-up merge sort of positions.
fn order(n: usize, less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut b = a.clone();
    let mut width = 1;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let (mid, hi) = ((lo + width).min(n), (lo + 2 * width).min(n));
            let (mut i, mut j) = (lo, mid);
            for slot in &mut b[lo..hi] {
                // Ties take the left run first: that is what keeps the sort stable.
                if i < mid && (j == hi || !less(a[j], a[i])) {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

/// Sorts `v` stably by `less` (a strict "comes before"), as `slice::sort_by` does.
pub fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let mut ord = order(v.len(), &mut |a, b| less(&v[a], &v[b]));
    // Position k receives the element at ord[k]: follow each cycle of the permutation
    // with swaps, marking placed positions as fixed points.
    for i in 0..v.len() {
        let mut j = i;
        while ord[j] != i {
            let next = ord[j];
            ord[j] = j;
            v.swap(j, next);
            j = next;
        }
        ord[j] = j;
    }
}

/// Sorts `v` stably by a key, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a) < key(b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_standard_stable_sort() {
        let mut seed = 7u64;
        for n in 0..200 {
            let v: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8 % (1 + n as u8 % 7), i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut std = v.clone();
            std.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, std, "{n} elements");
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a > b);
            let mut std = v;
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std, "{n} elements, descending");
        }
    }
}
