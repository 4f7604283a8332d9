//! `delay`, `duplicate`, `reorder`, `corrupt`, `rate`: the packets a target node sends to
//! the other nodes are held, copied, held back, damaged or metered.
//!
//! Where the kernel has tc netem (probed at prepare), netem does it on the node's `eth0`
//! (all it sends). Otherwise schism's own shaper ([`shaper`]) does: for each target node a
//! thread of this process enters the node's network namespace and binds an NFQUEUE, then an
//! iptables rule ([`super::packet_rule`]) hands it the node's outgoing packets; at heal the
//! rule goes, the thread lets every held packet go and ends, and its counts are recorded.
//! The record says which was used (`via`: `nfqueue` or `netem`).

use super::packet_kind::PacketKind;
use super::packet_rule::{self, COPY_MARK};
use crate::env::Env;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::NemesisError;
use async_trait::async_trait;
use cluster::Cluster;
use futures_util::future::join_all;
use history::rng::Rng;
use history::Value;
use serde_json::json;
use shaper::{Config, Counts, Plan, Shaper};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// One packet fault kind, with the shapers it runs.
pub struct Packet {
    kind: PacketKind,
    /// Whether prepare found tc netem (then netem is used instead of the shaper).
    netem: AtomicBool,
    shapers: Mutex<BTreeMap<String, Shaper>>,
}

impl Packet {
    pub fn new(kind: PacketKind) -> Packet {
        Packet {
            kind,
            netem: AtomicBool::new(false),
            shapers: Mutex::new(BTreeMap::new()),
        }
    }

    fn shapers(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Shaper>> {
        self.shapers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn via(&self) -> &'static str {
        match self.netem.load(Ordering::SeqCst) {
            true => "netem",
            false => "nfqueue",
        }
    }

    /// Start a shaper in `node`'s namespace (blocking until its queue is bound).
    async fn start(
        &self,
        cluster: &dyn Cluster,
        node: &str,
        plan: Plan,
        seed: u64,
    ) -> Result<Shaper, NemesisError> {
        let name = self.kind.name();
        let netns = cluster.netns_path(node).await?.ok_or_else(|| {
            NemesisError::Unsupported(format!(
                "the {name} nemesis runs a packet shaper in each node's network namespace \
                 (NFQUEUE), which this cluster backend does not give, and tc netem is missing"
            ))
        })?;
        let config = Config {
            name: node.to_string(),
            netns,
            queue: self.kind.queue(),
            mark: COPY_MARK,
            plan,
            seed,
        };
        tokio::task::spawn_blocking(move || Shaper::start(config))
            .await
            .map_err(|e| NemesisError::Unsupported(format!("the {name} shaper: {e}")))?
            .map_err(|e| {
                NemesisError::Unsupported(format!(
                    "the {name} nemesis needs NFQUEUE (the kernel's nfnetlink_queue) and tc \
                     netem is missing: {e}"
                ))
            })
    }

    /// Check that a shaper can run in `node`'s namespace and that iptables knows the rule.
    async fn probe_nfqueue(&self, cluster: &dyn Cluster, node: &str) -> Result<(), NemesisError> {
        let plan = Plan::Duplicate { probability: 0.0 };
        let s = self.start(cluster, node, plan, 0).await?;
        let _ = tokio::task::spawn_blocking(move || s.stop()).await;
        // A rule that matches nothing: proves the NFQUEUE target and mark match exist.
        let rule = packet_rule::rule(&["192.0.2.1".into()], false, self.kind.queue());
        packet_rule::apply(cluster, node, "-A", &rule)
            .await
            .map_err(|e| {
                NemesisError::Unsupported(format!(
                    "the {} nemesis needs iptables' NFQUEUE target and mark match: {e}",
                    self.kind.name()
                ))
            })?;
        packet_rule::apply(cluster, node, "-D", &rule).await
    }

    /// Node by node: start its shaper, then add its rule (a rule that cannot be added
    /// stops the shaper again), so a node has a running shaper exactly when it has a rule.
    async fn invoke_nfqueue(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let plan = self.kind.plan(fault)?;
        let seed = fault["seed"].as_u64().unwrap_or(0);
        let mut rule_text = String::new();
        for (i, node) in nodes_of(fault).iter().enumerate() {
            let s = self
                .start(env.cluster, node, plan.clone(), seed.wrapping_add(i as u64))
                .await?;
            let rule = self.rule(env, node, fault);
            if let Err(e) = packet_rule::apply(env.cluster, node, "-A", &rule).await {
                let _ = tokio::task::spawn_blocking(move || s.stop()).await;
                return Err(e);
            }
            self.shapers().insert(node.clone(), s);
            rule_text = format!("OUTPUT {}", rule.join(" "));
        }
        Ok(json!({"via": "nfqueue", "rule": rule_text}))
    }

    /// The rule of `node` for this fault: to every other node (or everywhere, `clients`).
    fn rule(&self, env: &Env<'_>, node: &str, fault: &Value) -> Vec<String> {
        let clients = fault["clients"].as_bool().unwrap_or(false);
        let peers: Vec<String> = crate::net::ips(env.cluster)
            .into_iter()
            .filter(|(m, _)| m != node)
            .map(|(_, ip)| ip)
            .collect();
        packet_rule::rule(&peers, clients, self.kind.queue())
    }

    async fn heal_nfqueue(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let nodes = nodes_of(fault);
        let mut first_error = None;
        for n in &nodes {
            // Only a node with a running shaper has a rule (a fault that failed half way
            // has neither on some nodes).
            if !self.shapers().contains_key(n) {
                continue;
            }
            let rule = self.rule(env, n, fault);
            if let Err(e) = packet_rule::apply(env.cluster, n, "-D", &rule).await {
                first_error.get_or_insert(e);
            }
        }
        let mut counts = BTreeMap::new();
        let mut total = Counts::default();
        for n in &nodes {
            let Some(s) = self.shapers().remove(n) else {
                continue;
            };
            let c = tokio::task::spawn_blocking(move || s.stop())
                .await
                .map_err(|e| NemesisError::Unsupported(format!("stopping a shaper: {e}")))?
                .map_err(|e| NemesisError::Unsupported(e.to_string()))?;
            add(&mut total, &c);
            counts.insert(n.clone(), counts_json(&c));
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(json!({"via": "nfqueue", "counts": counts, "total": counts_json(&total)}))
    }

    async fn netem(&self, env: &Env<'_>, fault: &Value, add: bool) -> Result<Value, NemesisError> {
        let args = self.kind.netem_args(fault)?;
        let results = join_all(nodes_of(fault).into_iter().map(|n| {
            let args = args.clone();
            async move {
                let mut argv = vec!["tc", "qdisc"];
                match add {
                    true => argv.extend(["add", "dev", "eth0", "root", "netem"]),
                    false => argv.extend(["del", "dev", "eth0", "root"]),
                }
                if add {
                    argv.extend(args.iter().map(String::as_str));
                }
                env.cluster.exec_in_netns(&n, &argv).await
            }
        }))
        .await;
        for r in results {
            r?;
        }
        Ok(json!({"via": "netem", "netem": args.join(" ")}))
    }
}

fn add(total: &mut Counts, c: &Counts) {
    total.packets += c.packets;
    total.delayed += c.delayed;
    total.duplicated += c.duplicated;
    total.reordered += c.reordered;
    total.corrupted += c.corrupted;
    total.dropped += c.dropped;
    total.errors += c.errors;
    total.cpu_us += c.cpu_us;
}

fn counts_json(c: &Counts) -> Value {
    json!({"packets": c.packets, "delayed": c.delayed, "duplicated": c.duplicated,
           "reordered": c.reordered, "corrupted": c.corrupted, "dropped": c.dropped,
           "errors": c.errors, "cpu_us": c.cpu_us})
}

#[async_trait]
impl Nemesis for Packet {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// Options first (a bad one is the user's mistake); then netem, else NFQUEUE, is
    /// probed on the first node.
    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        self.kind
            .fields(env.options.sections.get(self.kind.name()))?;
        let node = env.nodes().first().cloned().unwrap_or_default();
        let probe = [
            "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms",
        ];
        if env.cluster.exec_in_netns(&node, &probe).await.is_ok() {
            let _ = env
                .cluster
                .exec_in_netns(&node, &["tc", "qdisc", "del", "dev", "lo", "root"])
                .await;
            self.netem.store(true, Ordering::SeqCst);
            return Ok(());
        }
        self.probe_nfqueue(env.cluster, &node).await
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let nodes = targeted(env, &env.nodes(), rng);
        let mut fields = self
            .kind
            .fields(env.options.sections.get(self.kind.name()))?;
        fields["nodes"] = json!(nodes);
        fields["seed"] = json!(rng.next_u64() >> 11);
        Ok(Some(tagged(self.name(), fields)))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        match self.via() {
            "netem" => self.netem(env, fault, true).await,
            _ => self.invoke_nfqueue(env, fault).await,
        }
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        match self.via() {
            "netem" => self.netem(env, fault, false).await,
            _ => self.heal_nfqueue(env, fault).await,
        }
    }
}
