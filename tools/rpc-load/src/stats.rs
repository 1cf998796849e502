//! Latency percentiles and the one-line report every mode prints.

use std::time::Duration;

/// Collected call or delivery latencies.
#[derive(Debug, Default)]
pub struct Latencies(pub Vec<Duration>);

impl Latencies {
    /// The `p`-th percentile (0–100) in microseconds; 0 when empty.
    pub fn percentile_us(&mut self, p: f64) -> u128 {
        if self.0.is_empty() {
            return 0;
        }
        self.0.sort_unstable();
        let rank = ((p / 100.0) * (self.0.len() - 1) as f64).round() as usize;
        self.0[rank.min(self.0.len() - 1)].as_micros()
    }
}

/// Prints `key=value` pairs on one line (easy to parse from a script).
pub fn report(pairs: &[(&str, String)]) {
    let line: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{}", line.join(" "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_ranks_of_the_sorted_samples() {
        let mut l = Latencies((1..=100).rev().map(Duration::from_micros).collect());
        assert_eq!(l.percentile_us(50.0), 51);
        assert_eq!(l.percentile_us(99.0), 99);
        assert_eq!(l.percentile_us(100.0), 100);
        assert_eq!(Latencies::default().percentile_us(99.0), 0);
    }
}
