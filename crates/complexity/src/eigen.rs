//! The second eigenvector of the product matrix, without a dense eigensolver.
//!
//! Stata's `ecomplexity` takes the second eigenvector of M̃ = ((M / ubiquity) /
//! diversity)ᵀ M, a P × P matrix that is not symmetric. It is similar to the symmetric,
//! positive semidefinite S = U^-½ Mᵀ D⁻¹ M U^-½ (U and D the diagonal ubiquity and
//! diversity): if S v = λ v, then M̃ (U^-½ v) = λ U^-½ v. M̃'s rows sum to 1, so S's
//! largest eigenvalue is 1 with eigenvector √u, and the second eigenvector of M̃ is
//! U^-½ times the largest eigenvector of S in the complement of √u.
//!
//! That one is found by Lanczos with full reorthogonalisation (exact, up to rounding,
//! after at most P − 1 steps; in practice it converges in far fewer), applying S through
//! the sparse M, so 1,400 products cost what their presences cost, not P³. The
//! tridiagonal problem's largest eigenvalue comes from bisection on Sturm counts and
//! its eigenvector from inverse iteration.

/// The largest eigenpair of a symmetric positive semidefinite operator in the
/// complement of a known unit eigenvector `known`.
pub(crate) struct Eigenpair {
    pub value: f64,
    pub vector: Vec<f64>,
}

/// Ritz residual at which Lanczos stops (S's largest eigenvalue is 1).
const TOLERANCE: f64 = 1e-14;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

fn orthogonalise(w: &mut [f64], against: &[f64]) {
    let c = dot(w, against);
    axpy(w, -c, against);
}

/// `apply(x, y)` sets y = S x. `known` is a unit eigenvector of S; `None` when S has
/// nothing but `known` (fewer than two dimensions).
pub(crate) fn largest_in_complement(
    apply: impl Fn(&[f64], &mut [f64]),
    known: &[f64],
) -> Option<Eigenpair> {
    let n = known.len();
    if n < 2 {
        return None;
    }
    // A fixed start (xorshift), never orthogonal to the answer by a symmetry of the data.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut q: Vec<f64> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 + 0.5
        })
        .collect();
    orthogonalise(&mut q, known);
    let norm = dot(&q, &q).sqrt();
    q.iter_mut().for_each(|x| *x /= norm);

    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut alphas: Vec<f64> = Vec::new();
    let mut betas: Vec<f64> = Vec::new();
    let mut w = vec![0.0; n];
    loop {
        apply(&q, &mut w);
        let alpha = dot(&q, &w);
        axpy(&mut w, -alpha, &q);
        if let (Some(previous), Some(&beta)) = (basis.last(), betas.last()) {
            axpy(&mut w, -beta, previous);
        }
        basis.push(std::mem::take(&mut q));
        alphas.push(alpha);
        // Twice is enough (Kahan–Parlett): the basis stays orthogonal to rounding.
        for _ in 0..2 {
            orthogonalise(&mut w, known);
            for b in &basis {
                orthogonalise(&mut w, b);
            }
        }
        let beta = dot(&w, &w).sqrt();
        let (value, y) = largest_of_tridiagonal(&alphas, &betas);
        let residual = beta * y.last().map_or(0.0, |v| v.abs());
        if residual <= TOLERANCE || basis.len() == n - 1 {
            let mut vector = vec![0.0; n];
            for (b, c) in basis.iter().zip(&y) {
                axpy(&mut vector, *c, b);
            }
            let norm = dot(&vector, &vector).sqrt();
            vector.iter_mut().for_each(|x| *x /= norm);
            return Some(Eigenpair { value, vector });
        }
        betas.push(beta);
        q = w.iter().map(|x| x / beta).collect();
    }
}

/// The largest eigenvalue of the symmetric tridiagonal matrix with diagonal `a` and
/// off-diagonal `b`, and its unit eigenvector.
fn largest_of_tridiagonal(a: &[f64], b: &[f64]) -> (f64, Vec<f64>) {
    let m = a.len();
    let off = |i: usize| if i < b.len() { b[i].abs() } else { 0.0 };
    // Gershgorin bounds.
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for i in 0..m {
        let r = off(i) + if i > 0 { off(i - 1) } else { 0.0 };
        lo = lo.min(a[i] - r);
        hi = hi.max(a[i] + r);
    }
    // How many eigenvalues are below x (Sturm count of the LDLᵀ pivots of T − xI).
    let below = |x: f64| {
        let mut count = 0;
        let mut d = 1.0;
        for i in 0..m {
            let coupling = if i > 0 { b[i - 1] * b[i - 1] / d } else { 0.0 };
            d = a[i] - x - coupling;
            if d == 0.0 {
                d = -f64::EPSILON * (x.abs() + 1.0);
            }
            if d < 0.0 {
                count += 1;
            }
        }
        count
    };
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if below(mid) == m {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let value = hi;
    // Inverse iteration with σI − T, positive definite for σ above the largest
    // eigenvalue: its LDLᵀ needs no pivoting.
    let sigma = value + 1e-10 * value.abs().max(1e-300);
    let mut y = vec![1.0; m];
    let mut d = vec![0.0; m];
    let mut l = vec![0.0; m];
    for i in 0..m {
        if i == 0 {
            d[0] = sigma - a[0];
        } else {
            l[i] = -b[i - 1] / d[i - 1];
            d[i] = sigma - a[i] - b[i - 1] * b[i - 1] / d[i - 1];
        }
    }
    for _ in 0..3 {
        for i in 1..m {
            y[i] -= l[i] * y[i - 1];
        }
        for i in 0..m {
            y[i] /= d[i];
        }
        for i in (0..m.saturating_sub(1)).rev() {
            y[i] -= l[i + 1] * y[i + 1];
        }
        let norm = dot(&y, &y).sqrt();
        y.iter_mut().for_each(|x| *x /= norm);
    }
    (value, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_eigenpair_of_a_tridiagonal_matrix() {
        // [[2, 1, 0], [1, 2, 1], [0, 1, 2]]: eigenvalues 2 − √2, 2, 2 + √2; the largest's
        // vector is (1, √2, 1) / 2.
        let (value, y) = largest_of_tridiagonal(&[2.0, 2.0, 2.0], &[1.0, 1.0]);
        assert!((value - (2.0 + 2f64.sqrt())).abs() < 1e-14, "{value}");
        let sign = y[0].signum();
        for (got, want) in y.iter().zip([0.5, 2f64.sqrt() / 2.0, 0.5]) {
            assert!((sign * got - want).abs() < 1e-12, "{y:?}");
        }
    }

    #[test]
    fn lanczos_finds_the_second_eigenvector_of_a_diagonal_operator() {
        // diag(1, 0.9, 0.5, 0.2, 0.1), the first known: the answer is e₂.
        let diag = [1.0, 0.9, 0.5, 0.2, 0.1];
        let known = [1.0, 0.0, 0.0, 0.0, 0.0];
        let pair = largest_in_complement(
            |x, y| {
                for i in 0..5 {
                    y[i] = diag[i] * x[i];
                }
            },
            &known,
        )
        .unwrap();
        assert!((pair.value - 0.9).abs() < 1e-14, "{}", pair.value);
        assert!(
            (pair.vector[1].abs() - 1.0).abs() < 1e-12,
            "{:?}",
            pair.vector
        );
    }
}
