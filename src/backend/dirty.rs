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
