//! The sample-size helper.

/// Why a sample size cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleSizeError {
    #[error("rate: {0} must be greater than 0 and at most 1 (a proportion, e.g. 0.05 for 5%)")]
    Rate(f64),
    #[error("confidence: {0} must be greater than 0 and less than 1 (e.g. 0.95)")]
    Confidence(f64),
    /// The sample needed is larger than any force's workforce ([`MAX_SAMPLE_SIZE`]).
    #[error(
        "rate: detecting a rate of {rate} with confidence {confidence} needs a sample of more than {max} people; \
         choose a larger rate or a lower confidence"
    )]
    TooLarge { rate: f64, confidence: f64, max: u64 },
}

/// The largest sample size [`sample_size`] answers: more people than any force employs, so a
/// larger answer could never be drawn (WP034 5.4 samples from the force's own staff).
pub const MAX_SAMPLE_SIZE: u64 = 1_000_000;

/// The smallest sample n that finds at least one case of misuse with probability `confidence`
/// when a proportion `rate` of people misuse their devices: n ≥ ln α / ln(1 − p), α = 1 −
/// confidence (WP034 5.4: sampling at random). Assumes a population much larger than n.
/// Answers at most [`MAX_SAMPLE_SIZE`], in a bounded number of steps for every input.
pub fn sample_size(rate: f64, confidence: f64) -> Result<u64, SampleSizeError> {
    if !(rate > 0.0 && rate <= 1.0) {
        return Err(SampleSizeError::Rate(rate));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SampleSizeError::Confidence(confidence));
    }
    if rate >= 1.0 {
        return Ok(1);
    }
    let too_large = SampleSizeError::TooLarge { rate, confidence, max: MAX_SAMPLE_SIZE };
    let alpha = 1.0 - confidence;
    let exact = alpha.ln() / (-rate).ln_1p();
    // NaN or infinite (a rate so small that ln(1 − p) rounds to nothing) fails this test too.
    if !(exact.is_finite() && exact <= MAX_SAMPLE_SIZE as f64) {
        return Err(too_large);
    }
    // Guard against rounding just above an integer (ln 0.25 / ln 0.5 = 2.0000000000000004).
    let mut n = (exact - 1e-9).ceil().clamp(1.0, MAX_SAMPLE_SIZE as f64) as u64;
    // The estimate is within a step or two of the answer; these loops only mend rounding, and
    // are bounded so that no input can keep them going.
    for _ in 0..64 {
        if n > 1 && miss_probability(rate, n - 1) <= alpha {
            n -= 1;
        } else {
            break;
        }
    }
    for _ in 0..64 {
        if miss_probability(rate, n) > alpha * (1.0 + 1e-12) {
            n = n.checked_add(1).filter(|n| *n <= MAX_SAMPLE_SIZE).ok_or(too_large.clone())?;
        } else {
            return Ok(n);
        }
    }
    Err(too_large)
}

/// The chance that a sample of `n` contains nobody misusing a device: (1 − p)^n.
pub fn miss_probability(rate: f64, n: u64) -> f64 {
    ((-rate).ln_1p() * n as f64).exp()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_size_meets_the_confidence_and_no_smaller_sample_does() {
        assert_eq!(sample_size(0.05, 0.95), Ok(59));
        assert_eq!(sample_size(0.01, 0.95), Ok(299));
        assert_eq!(sample_size(0.5, 0.75), Ok(2), "exact ratios are not rounded up");
        assert_eq!(sample_size(1.0, 0.99), Ok(1));
        assert!(matches!(sample_size(0.0, 0.95), Err(SampleSizeError::Rate(_))));
        assert!(matches!(sample_size(f64::NAN, 0.95), Err(SampleSizeError::Rate(_))));
        assert!(matches!(sample_size(0.1, 1.0), Err(SampleSizeError::Confidence(_))));
    }

    #[test]
    fn sample_sizes_too_large_to_draw_are_refused_not_searched_for() {
        // A rate so small that ln(1 − p) is all but zero: the search used to saturate and wrap.
        let e = sample_size(1e-300, 0.9999999999999999).unwrap_err();
        assert!(matches!(e, SampleSizeError::TooLarge { .. }), "{e:?}");
        assert!(e.to_string().starts_with("rate: "), "the message names the field: {e}");
        assert!(matches!(sample_size(f64::MIN_POSITIVE, 0.5), Err(SampleSizeError::TooLarge { .. })));
        assert!(matches!(sample_size(1e-7, 0.99), Err(SampleSizeError::TooLarge { .. })));
        assert_eq!(sample_size(1e-5, 0.99), Ok(460_515));
    }
}
