//! Where a node fault lands: a count of nodes drawn at random, the leader, or nodes named.
//!
//! `some` (the default) takes 1 to `max_faulty` nodes; `one` a single node; `minority`
//! the largest minority ((n-1)/2, at least one); `majority` n/2+1; `minority-third` the
//! most a Byzantine-tolerant protocol survives ((n-1)/3, at least one); `all` every node;
//! `leader` the node the system says leads (a random one when it cannot say); and
//! `n1+n3` exactly those nodes.
//!
//! ```
//! use nemesis::target::Target;
//! use history::rng::Rng;
//! let nodes: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
//! let mut rng = Rng::new(1);
//! assert_eq!(Target::parse("majority").unwrap().pick(&nodes, None, 1, &mut rng).len(), 3);
//! assert_eq!(Target::parse("n2+n4").unwrap().pick(&nodes, None, 1, &mut rng), ["n2", "n4"]);
//! assert_eq!(Target::Leader.pick(&nodes, Some("n5"), 1, &mut rng), ["n5"]);
//! ```

use crate::NemesisError;
use history::rng::Rng;

/// A node fault's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Some,
    One,
    Minority,
    Majority,
    MinorityThird,
    All,
    Leader,
    Nodes(Vec<String>),
}

impl Target {
    pub const NAMES: [&'static str; 7] = [
        "some",
        "one",
        "minority",
        "majority",
        "minority-third",
        "all",
        "leader",
    ];

    /// A target by name, or named nodes joined by `+` (`n1+n3`).
    pub fn parse(s: &str) -> Result<Target, NemesisError> {
        Ok(match s {
            "some" => Target::Some,
            "one" => Target::One,
            "minority" => Target::Minority,
            "majority" => Target::Majority,
            "minority-third" => Target::MinorityThird,
            "all" => Target::All,
            "leader" | "primary" => Target::Leader,
            named if !named.is_empty() && named.split('+').all(is_node_name) => {
                Target::Nodes(named.split('+').map(String::from).collect())
            }
            other => {
                return Err(NemesisError::Unknown(format!(
                    "unknown target {other:?}; known: {}, or nodes joined by + (n1+n3)",
                    Self::NAMES.join(", ")
                )))
            }
        })
    }

    pub fn name(&self) -> String {
        match self {
            Target::Nodes(n) => n.join("+"),
            other => Self::NAMES[other.index()].to_string(),
        }
    }

    fn index(&self) -> usize {
        match self {
            Target::Some => 0,
            Target::One => 1,
            Target::Minority => 2,
            Target::Majority => 3,
            Target::MinorityThird => 4,
            Target::All => 5,
            Target::Leader | Target::Nodes(_) => 6,
        }
    }

    /// Named nodes that are not in the cluster.
    pub fn unknown_nodes(&self, nodes: &[String]) -> Vec<String> {
        match self {
            Target::Nodes(named) => named
                .iter()
                .filter(|n| !nodes.contains(n))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Refuse a target naming nodes the cluster lacks (a misspelt target name reads as a
    /// node's name, so both are said).
    pub fn check(&self, nodes: &[String]) -> Result<(), NemesisError> {
        let unknown = self.unknown_nodes(nodes);
        if unknown.is_empty() {
            return Ok(());
        }
        Err(NemesisError::Unknown(format!(
            "unknown target {:?}: neither one of {} nor nodes of this cluster ({}; {} is not)",
            self.name(),
            Self::NAMES.join(", "),
            nodes.join(", "),
            unknown.join(", ")
        )))
    }

    /// The nodes hit, sorted, drawn from `nodes` with the seeded RNG.
    pub fn pick(
        &self,
        nodes: &[String],
        leader: Option<&str>,
        max_faulty: usize,
        rng: &mut Rng,
    ) -> Vec<String> {
        let n = nodes.len();
        let count = match self {
            Target::Some => 1 + rng.below(max_faulty.clamp(1, n.max(1)) as u64) as usize,
            Target::One => 1,
            Target::Minority => ((n.saturating_sub(1)) / 2).max(1),
            Target::Majority => n / 2 + 1,
            Target::MinorityThird => ((n.saturating_sub(1)) / 3).max(1),
            Target::All => n,
            Target::Leader => match leader.filter(|l| nodes.iter().any(|x| x == l)) {
                Some(l) => return vec![l.to_string()],
                None => 1,
            },
            Target::Nodes(named) => {
                let mut hit: Vec<String> = named
                    .iter()
                    .filter(|x| nodes.contains(x))
                    .cloned()
                    .collect();
                hit.sort();
                hit.dedup();
                return hit;
            }
        };
        draw(nodes, count, rng)
    }
}

/// `count` distinct nodes at random, sorted.
pub fn draw(nodes: &[String], count: usize, rng: &mut Rng) -> Vec<String> {
    let mut pool = nodes.to_vec();
    let mut chosen = Vec::new();
    while chosen.len() < count && !pool.is_empty() {
        let i = rng.below(pool.len() as u64) as usize;
        chosen.push(pool.swap_remove(i));
    }
    chosen.sort();
    chosen
}

fn is_node_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn each_target_takes_its_share_of_the_cluster() {
        let mut rng = Rng::new(7);
        for (n, minority, majority, third) in [(3, 1, 2, 1), (5, 2, 3, 1), (7, 3, 4, 2)] {
            let all = nodes(n);
            let size = |t: Target, rng: &mut Rng| t.pick(&all, None, 2, rng).len();
            assert_eq!(size(Target::One, &mut rng), 1);
            assert_eq!(size(Target::Minority, &mut rng), minority);
            assert_eq!(size(Target::Majority, &mut rng), majority);
            assert_eq!(size(Target::MinorityThird, &mut rng), third);
            assert_eq!(size(Target::All, &mut rng), n);
            for _ in 0..20 {
                assert!((1..=2).contains(&size(Target::Some, &mut rng)));
            }
        }
    }

    #[test]
    fn the_leader_is_hit_when_known_and_some_node_when_not() {
        let all = nodes(5);
        let mut rng = Rng::new(1);
        assert_eq!(Target::Leader.pick(&all, Some("n4"), 1, &mut rng), ["n4"]);
        let any = Target::Leader.pick(&all, None, 1, &mut rng);
        assert_eq!(any.len(), 1);
        assert!(all.contains(&any[0]));
        // A leader that is not among the candidates (already down) is not hit.
        let rest = nodes(3);
        let x = Target::Leader.pick(&rest, Some("n5"), 1, &mut rng);
        assert!(rest.contains(&x[0]));
    }

    #[test]
    fn names_parse_back_and_bad_ones_are_refused() {
        for name in Target::NAMES {
            assert_eq!(Target::parse(name).unwrap().name(), name);
        }
        let named = Target::parse("n1+n3").unwrap();
        assert_eq!(named.name(), "n1+n3");
        assert_eq!(named.unknown_nodes(&nodes(2)), ["n3"]);
        let e = Target::parse("half of them").unwrap_err().to_string();
        assert!(
            e.contains("half of them") && e.contains("minority-third"),
            "{e}"
        );
    }
}
