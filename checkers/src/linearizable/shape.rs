//! The common shapes of an op: a read, a write, a compare-and-set, a CAS that saw another
//! value. A model that says an op's shape lets the search take shortcuts with it: legal and
//! step without calling the model, reads linearized at once, identical writes not tried
//! twice, indeterminate ops taken only where needed, and refutation by real time.

/// What an op does to a state, where that can be said without running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape<S> {
    /// Legal only in this state, which it leaves as it is (a read).
    Observe(S),
    /// Legal in every state but this one, which it leaves as it is (a CAS that saw another
    /// value).
    Differs(S),
    /// Always legal; sets this state whatever the state before (a write).
    Set(S),
    /// Legal only in the first state; sets the second (a successful CAS).
    CompareSet(S, S),
    /// Always legal; the state after it depends on the one before (an append):
    /// [`Model::step`](super::open::Model::step) says which.
    Update,
    /// Anything else: [`Model::step`](super::open::Model::step) says whether it is legal
    /// and what it does.
    Other,
}

impl<S: Clone + PartialEq> Shape<S> {
    /// The state after an op of this shape from `state`, or None when it is not legal
    /// there; None also for [`Shape::Update`] and [`Shape::Other`], which the shape alone
    /// cannot apply. A model whose ops all have one of the first four shapes can step
    /// with this.
    pub fn apply(&self, state: &S) -> Option<S> {
        match self {
            Shape::Observe(v) => (state == v).then(|| state.clone()),
            Shape::Differs(v) => (state != v).then(|| state.clone()),
            Shape::Set(v) => Some(v.clone()),
            Shape::CompareSet(from, to) => (state == from).then(|| to.clone()),
            Shape::Update | Shape::Other => None,
        }
    }

    /// The same shape over other states (the adapter's numbers for them).
    pub fn map<T>(self, mut f: impl FnMut(S) -> T) -> Shape<T> {
        match self {
            Shape::Observe(v) => Shape::Observe(f(v)),
            Shape::Differs(v) => Shape::Differs(f(v)),
            Shape::Set(v) => Shape::Set(f(v)),
            Shape::CompareSet(a, b) => {
                let a = f(a);
                Shape::CompareSet(a, f(b))
            }
            Shape::Update => Shape::Update,
            Shape::Other => Shape::Other,
        }
    }

    /// Whether the op never changes the state, in any state where it is legal (a read).
    /// Such an op, when legal now, can be linearized at once without losing a solution.
    pub fn read_only(&self) -> bool {
        match self {
            Shape::Observe(_) | Shape::Differs(_) => true,
            Shape::CompareSet(from, to) => from == to,
            Shape::Set(_) | Shape::Update | Shape::Other => false,
        }
    }

    /// Whether the op is always legal and its result does not depend on the state (a
    /// write).
    pub fn blind(&self) -> bool {
        matches!(self, Shape::Set(_))
    }

    /// Whether the op, whenever legal, either leaves the state as it is or sets it to a
    /// state that does not depend on the one before (true of reads, writes and CAS; false
    /// of append). When every op with a known result is like this, an indeterminate op
    /// only ever needs to take effect right before an op that is illegal without it.
    pub fn stutter_or_overwrite(&self) -> bool {
        !matches!(self, Shape::Update | Shape::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::Shape;

    #[test]
    fn shapes_apply_as_their_names_say() {
        assert_eq!(Shape::Observe(1).apply(&1), Some(1));
        assert_eq!(Shape::Observe(1).apply(&2), None);
        assert_eq!(Shape::Differs(1).apply(&1), None);
        assert_eq!(Shape::Differs(1).apply(&2), Some(2));
        assert_eq!(Shape::Set(3).apply(&2), Some(3));
        assert_eq!(Shape::CompareSet(2, 3).apply(&2), Some(3));
        assert_eq!(Shape::CompareSet(2, 3).apply(&1), None);
        assert_eq!(Shape::<u32>::Update.apply(&1), None);
        assert!(Shape::CompareSet(2, 2).read_only() && !Shape::CompareSet(2, 3).read_only());
        assert!(Shape::Set(1).blind() && !Shape::CompareSet(1, 2).blind());
        assert!(!Shape::<u32>::Update.stutter_or_overwrite());
        assert_eq!(
            Shape::CompareSet("a", "bc").map(str::len),
            Shape::CompareSet(1, 2)
        );
    }
}
