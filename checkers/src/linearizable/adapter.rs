//! Any [`Model`] as the search's [`Spec`]: states and ops numbered, each op's shape said
//! once over state numbers (so legal and step are a comparison for reads, writes and
//! CAS), and each step of the other ops computed once.

use super::numbered::Numbered;
use super::open::Model;
use super::shape::Shape;
use super::spec::Spec;
use super::view::OpView;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::mem::size_of;

/// In the step cache: the op is not legal in that state.
const ILLEGAL: u32 = u32::MAX;

/// What the search asks of a class in its innermost loop, side by side.
#[derive(Clone, Copy)]
struct Class {
    /// The op's shape, over state ids.
    shape: Shape<u32>,
    read_only: bool,
    blind: bool,
}

/// One key's copy of a model, over numbers.
pub struct Open<M: Model> {
    model: M,
    states: Numbered<M::State>,
    ops: Numbered<M::Op>,
    /// By class id.
    classes: Vec<Class>,
    /// (state, class) -> the state after it, or [`ILLEGAL`]; for the ops whose shape does
    /// not say.
    steps: FxHashMap<(u32, u32), u32>,
    /// Bytes the states hold beyond their size.
    heap: usize,
}

impl<M: Model> Open<M> {
    pub fn new(model: M) -> Self {
        let mut open = Open {
            states: Numbered::new(),
            ops: Numbered::new(),
            classes: Vec::new(),
            steps: FxHashMap::default(),
            heap: 0,
            model,
        };
        let init = open.model.init();
        open.state(init);
        open
    }

    /// The id of a state, numbered (and counted) if it is new.
    fn state(&mut self, s: M::State) -> u32 {
        number(&self.model, &mut self.states, &mut self.heap, s)
    }

    /// The step, without remembering it (for `legal`, which may not change the cache).
    fn compute(&self, state: u32, class: u32) -> Option<M::State> {
        self.model.step(self.states.get(state), self.ops.get(class))
    }

    /// `legal` for an op whose shape does not say (kept out of line: the common shapes'
    /// `legal` is a comparison, inlined in the search's loop).
    #[inline(never)]
    fn legal_by_step(&self, state: u32, class: u32) -> bool {
        match self.steps.get(&(state, class)) {
            Some(&next) => next != ILLEGAL,
            None => self.compute(state, class).is_some(),
        }
    }

    /// `step` for an op whose shape does not say: the model's step, remembered.
    #[inline(never)]
    fn step_by_model(&mut self, state: u32, class: u32) -> Option<u32> {
        let next = match self.steps.entry((state, class)) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let after = self.model.step(self.states.get(state), self.ops.get(class));
                let next = after.map_or(ILLEGAL, |s| {
                    number(&self.model, &mut self.states, &mut self.heap, s)
                });
                *e.insert(next)
            }
        };
        (next != ILLEGAL).then_some(next)
    }
}

/// The id of state `s` of `model`, numbered (and its heap bytes counted) if it is new.
fn number<M: Model>(
    model: &M,
    states: &mut Numbered<M::State>,
    heap: &mut usize,
    s: M::State,
) -> u32 {
    let (known, bytes) = (states.len(), model.heap_bytes(&s));
    let id = states.id(s);
    if id as usize == known {
        *heap += bytes;
    }
    id
}

impl<M: Model> Spec for Open<M> {
    #[inline]
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String> {
        let Some(op) = self.model.op(op)? else {
            return Ok(None);
        };
        let known = self.ops.len();
        let class = self.ops.id(op);
        if class as usize == known {
            let shape = self.model.shape(self.ops.get(class));
            let shape = shape.map(|s| self.state(s));
            self.classes.push(Class {
                shape,
                read_only: shape.read_only(),
                blind: shape.blind(),
            });
        }
        Ok(Some(class))
    }

    fn init(&self) -> u32 {
        0
    }

    #[inline]
    fn legal(&self, state: u32, class: u32) -> bool {
        match self.classes[class as usize].shape {
            Shape::Observe(v) | Shape::CompareSet(v, _) => state == v,
            Shape::Differs(v) => state != v,
            Shape::Set(_) | Shape::Update => true,
            Shape::Other => self.legal_by_step(state, class),
        }
    }

    #[inline]
    fn step(&mut self, state: u32, class: u32) -> Option<u32> {
        match self.classes[class as usize].shape {
            Shape::Observe(v) => (state == v).then_some(state),
            Shape::Differs(v) => (state != v).then_some(state),
            Shape::Set(v) => Some(v),
            Shape::CompareSet(from, to) => (state == from).then_some(to),
            Shape::Update | Shape::Other => self.step_by_model(state, class),
        }
    }

    #[inline]
    fn shape(&self, class: u32) -> Shape<u32> {
        self.classes[class as usize].shape
    }

    #[inline]
    fn read_only(&self, class: u32) -> bool {
        self.classes[class as usize].read_only
    }

    #[inline]
    fn blind(&self, class: u32) -> bool {
        self.classes[class as usize].blind
    }

    fn describe_state(&self, state: u32) -> String {
        self.model.describe_state(self.states.get(state))
    }

    fn describe_class(&self, class: u32) -> String {
        self.model.describe_op(self.ops.get(class))
    }

    fn memory_bytes(&self) -> usize {
        // Each item, its index entry, and the step cache's entries.
        self.states.len() * (size_of::<M::State>() + 9)
            + self.heap
            + self.ops.len() * (size_of::<M::Op>() + 10 + size_of::<Class>())
            + self.steps.capacity() * 12
    }
}
