//! Which listings an engine change makes stale: the driver's marks between flushes.

/// Which listings an engine change makes stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty {
    pub info: bool,
    pub nodes: bool,
    pub workloads: bool,
    pub instances: bool,
    pub images: bool,
    /// An image was pushed (from this engine, by anyone): what a registry holds changed.
    pub pushed: bool,
}

impl Dirty {
    /// Every listing (a push is news only when it happens).
    pub const ALL: Dirty = Dirty {
        info: true,
        nodes: true,
        workloads: true,
        instances: true,
        images: true,
        pushed: false,
    };

    pub fn any(self) -> bool {
        self.info || self.nodes || self.workloads || self.instances || self.images || self.pushed
    }

    /// These marks without those of `o`.
    pub fn without(self, o: Dirty) -> Dirty {
        Dirty {
            info: self.info && !o.info,
            nodes: self.nodes && !o.nodes,
            workloads: self.workloads && !o.workloads,
            instances: self.instances && !o.instances,
            images: self.images && !o.images,
            pushed: self.pushed && !o.pushed,
        }
    }

    pub fn merge(&mut self, o: Dirty) {
        self.info |= o.info;
        self.nodes |= o.nodes;
        self.workloads |= o.workloads;
        self.instances |= o.instances;
        self.images |= o.images;
        self.pushed |= o.pushed;
    }
}

/// How long changes gather before they are sent: 100 ms, and 100 ms more per thousand tasks or
/// pods, up to a second. At 10 000 pods a rollout's thousands of events are drawn once a second
/// (k9s redraws every two), not ten times, each a copy of every row for the panes.
pub(super) fn pace(rows: usize) -> std::time::Duration {
    std::time::Duration::from_millis((100 + 100 * (rows / 1000) as u64).min(1000))
}

#[cfg(test)]
mod tests {
    use super::pace;
    use std::time::Duration;

    #[test]
    fn big_listings_are_sent_less_often() {
        assert_eq!(pace(0), Duration::from_millis(100));
        assert_eq!(pace(5_000), Duration::from_millis(600));
        assert_eq!(pace(10_000), Duration::from_secs(1));
        assert_eq!(pace(100_000), Duration::from_secs(1));
    }
}
