//! [`IdCounter`]: watch and timer ids from 1 upwards, never reused.

/// A counter handing out ids from 1 upwards, never reusing one.
#[derive(Debug)]
pub(crate) struct IdCounter(u64);

impl Default for IdCounter {
    fn default() -> Self {
        IdCounter(1)
    }
}

impl IdCounter {
    /// Takes the next id.
    pub(crate) fn next_raw(&mut self) -> u64 {
        let id = self.0;
        self.0 += 1;
        id
    }

    /// The id the next call to [`IdCounter::next_raw`] will return.
    pub(crate) fn peek(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_starts_at_one() {
        let mut c = IdCounter::default();
        assert_eq!(c.next_raw(), 1);
        assert_eq!(c.next_raw(), 2);
        assert_eq!(c.peek(), 3);
    }
}
