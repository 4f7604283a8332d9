//! Sequential specifications: what a single copy of the object would do, op by op.
//!
//! The search never sees values. Each key's ops are translated into small integer
//! *classes* (an op's function, arguments and observed result) and the object's states into
//! small integer ids, so a step is a table lookup or a comparison and a search configuration
//! fits in a few machine words.

use history::{History, Value};

/// What became of an op, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It happened and its completion carries the result.
    Ok,
    /// It completed with `fail` (only passed on in the Porcupine dialect).
    Fail,
    /// `info` or never completed: it may take effect at any moment after its invocation,
    /// or never, and its result is unknown.
    Unknown,
}

/// The sequential objects schism can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// A read/write register, initially nil.
    Register,
    /// A register with compare-and-set, as Jepsen's etcd tests use it.
    CasRegister,
    /// A string key-value store with get, put and append (missing keys read as "").
    Kv,
}

impl ModelKind {
    pub const NAMES: [&'static str; 3] = ["register", "cas-register", "kv"];

    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::Kv => "kv",
        }
    }

    pub fn parse(s: &str) -> Option<ModelKind> {
        match s {
            "register" => Some(ModelKind::Register),
            "cas-register" => Some(ModelKind::CasRegister),
            "kv" => Some(ModelKind::Kv),
            _ => None,
        }
    }

    /// The model a history's functions call for: kv for get/put/append, cas-register when
    /// there is a cas, else register.
    pub fn infer(history: &History) -> ModelKind {
        let mut cas = false;
        for f in history.functions() {
            match f.as_str() {
                "get" | "put" | "append" => return ModelKind::Kv,
                "cas" => cas = true,
                _ => {}
            }
        }
        if cas {
            ModelKind::CasRegister
        } else {
            ModelKind::Register
        }
    }
}

/// One op as a model reads it: its invocation and, when it completed, its result.
#[derive(Debug, Clone, Copy)]
pub struct OpView<'a> {
    /// The function (`read`, `write`, `cas`, ...).
    pub f: &'a str,
    /// The invocation's value (a write's value, a CAS's `[from, to]`).
    pub value: &'a Value,
    /// The completion's value (a read's result); null when it never completed.
    pub result: &'a Value,
    pub outcome: Outcome,
    /// The client process that invoked it (a lock's owner).
    pub process: u64,
}

/// What an op does to the state, where that can be said without running it. Used to
/// refute an op before any search: an op that needs a state no op could have set in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Legal only in this state, which it leaves as it is (a read).
    Observe(u32),
    /// Always legal; sets this state (a write).
    Set(u32),
    /// Legal only in the first state; sets the second (a successful CAS).
    CompareSet(u32, u32),
    /// Never changes the state (a failed CAS).
    Keep,
    /// Anything else (an append): no refutation is attempted when such an op is present.
    Other,
}

/// One key's sequential specification over interned classes and states.
///
/// Contract: `step` is a pure function of `(state, class)` (it may cache); the same
/// `(f, value, result, outcome)` always maps to the same class.
pub trait Spec: Send {
    /// Translate one op. `Ok(None)` drops it: it constrains nothing (a read whose result is
    /// unknown, a failed write). `Err` says why the model cannot understand it.
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String>;
    fn init(&self) -> u32;
    /// Whether the op is legal in `state` (cheaper than `step`: it makes no new state).
    fn legal(&self, state: u32, class: u32) -> bool;
    /// The state after `class` from `state`, or None when the op is not legal there.
    fn step(&mut self, state: u32, class: u32) -> Option<u32>;
    /// Whether the op, whenever legal, either leaves the state as it is or sets it to a
    /// state that does not depend on the one before (true of reads, writes and CAS; false of
    /// append). When every op with a known result is like this, an indeterminate op only
    /// ever needs to take effect right before an op that is illegal without it.
    fn stutter_or_overwrite(&self, class: u32) -> bool;
    /// Whether the op never changes the state, in any state where it is legal (a read).
    /// Such an op, when legal now, can be linearized at once without losing a solution.
    fn read_only(&self, class: u32) -> bool;
    /// Whether the op is always legal and its result does not depend on the state (a write).
    fn blind(&self, class: u32) -> bool;
    fn effect(&self, class: u32) -> Effect;
    fn describe_state(&self, state: u32) -> String;
    fn describe_class(&self, class: u32) -> String;
    /// Bytes held by interning tables, for the memory budget.
    fn memory_bytes(&self) -> usize;
}

/// Small values numbered in order of first appearance (the classes of a key's ops).
pub(crate) struct Interner<T> {
    items: Vec<T>,
    index: rustc_hash::FxHashMap<T, u32>,
}

impl<T: Copy + Eq + std::hash::Hash> Interner<T> {
    pub fn new() -> Self {
        Interner {
            items: Vec::new(),
            index: Default::default(),
        }
    }
    pub fn id(&mut self, item: T) -> u32 {
        let next = self.items.len() as u32;
        let id = *self.index.entry(item).or_insert(next);
        if id == next {
            self.items.push(item);
        }
        id
    }
    pub fn get(&self, id: u32) -> T {
        self.items[id as usize]
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

/// The text of a value for explanations: `nil` for null, JSON otherwise.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        v => v.to_string(),
    }
}
