//! The variables a system spec's templates may use.
//!
//! Every template: `{{node}}` (n1..), `{{index}}` (1..), `{{ip}}`, `{{nodes}}` (n1,n2,..),
//! `{{cluster}}` (n1=ip1,n2=ip2,..), `{{ip.n1}}` (one node's address; also `{{ip.first}}`,
//! the first node's), `{{port.NAME}}` (the spec's named ports).
//! Node templates (command, args, env) also: `{{peers}}` (`{{cluster}}` without this
//! node), `{{initial_cluster}}` (n1=http://ip1:PEER,.. with the `peer` port),
//! `{{data_dir}}`, `{{binary}}` (the program's path in the image).
//! Client templates (exec) also: `{{port}}` (the client port).

use super::template::Vars;
use super::SystemSpec;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

fn joined(all: &[(String, Ipv4Addr)], f: impl Fn(&(String, Ipv4Addr)) -> String) -> String {
    all.iter().map(f).collect::<Vec<_>>().join(",")
}

/// What every template knows of node `name` among `all`, in a spec with `ports`.
fn common(
    ports: &BTreeMap<String, u16>,
    name: &str,
    ip: Ipv4Addr,
    all: &[(String, Ipv4Addr)],
) -> Vars {
    let index = all.iter().position(|(n, _)| n == name).map_or(0, |i| i + 1);
    let mut v = BTreeMap::new();
    v.insert("node".into(), name.to_string());
    v.insert("index".into(), index.to_string());
    v.insert("ip".into(), ip.to_string());
    v.insert("nodes".into(), joined(all, |(n, _)| n.clone()));
    v.insert("cluster".into(), joined(all, |(n, ip)| format!("{n}={ip}")));
    for (n, ip) in all {
        v.insert(format!("ip.{n}"), ip.to_string());
    }
    if let Some((_, first)) = all.first() {
        v.insert("ip.first".into(), first.to_string());
    }
    for (port, number) in ports {
        v.insert(format!("port.{port}"), number.to_string());
    }
    v
}

/// The variables of node `name`'s command.
pub fn node_vars(
    spec: &SystemSpec,
    binary: &str,
    name: &str,
    ip: Ipv4Addr,
    all: &[(String, Ipv4Addr)],
) -> Vars {
    let mut v = common(&spec.ports, name, ip, all);
    let others: Vec<(String, Ipv4Addr)> = all.iter().filter(|(n, _)| n != name).cloned().collect();
    v.insert(
        "peers".into(),
        joined(&others, |(n, ip)| format!("{n}={ip}")),
    );
    if let Some(peer) = spec.ports.get("peer") {
        v.insert(
            "initial_cluster".into(),
            joined(all, |(n, ip)| format!("{n}=http://{ip}:{peer}")),
        );
    }
    if let Some(d) = &spec.data_dir {
        v.insert("data_dir".into(), d.clone());
    }
    v.insert("binary".into(), binary.to_string());
    v
}

/// The variables of a client's command (exec), for a client of node `name`.
pub fn client_vars(
    spec: &SystemSpec,
    port: u16,
    name: &str,
    ip: Ipv4Addr,
    all: &[(String, Ipv4Addr)],
) -> Vars {
    let mut v = common(&spec.ports, name, ip, all);
    v.insert("port".into(), port.to_string());
    v
}

/// Three example nodes, to check templates before any exists.
pub fn sample_nodes() -> Vec<(String, Ipv4Addr)> {
    (1..=3u8)
        .map(|i| (format!("n{i}"), Ipv4Addr::new(10, 0, 0, i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_variables_describe_the_cluster() {
        let spec: SystemSpec = serde_yaml::from_str(
            "name: x\nimage: {binary: /bin/true}\nports: {client: 1, peer: 2}\ndata_dir: /d\nclient: {protocol: etcd}\n",
        )
        .unwrap();
        let all = sample_nodes();
        let v = node_vars(&spec, "/app/x", "n2", all[1].1, &all);
        assert_eq!(v["index"], "2");
        assert_eq!(v["ip"], "10.0.0.3");
        assert_eq!(v["peers"], "n1=10.0.0.2,n3=10.0.0.4");
        assert_eq!(v["cluster"], "n1=10.0.0.2,n2=10.0.0.3,n3=10.0.0.4");
        assert_eq!(
            v["initial_cluster"],
            "n1=http://10.0.0.2:2,n2=http://10.0.0.3:2,n3=http://10.0.0.4:2"
        );
        assert_eq!(
            (v["port.client"].as_str(), v["data_dir"].as_str()),
            ("1", "/d")
        );
        assert_eq!(
            (v["ip.n3"].as_str(), v["ip.first"].as_str()),
            ("10.0.0.4", "10.0.0.2")
        );
        let c = client_vars(&spec, 1, "n1", all[0].1, &all);
        assert_eq!((c["port"].as_str(), c["node"].as_str()), ("1", "n1"));
        assert_eq!(
            (c["port.peer"].as_str(), c["ip.n2"].as_str()),
            ("2", "10.0.0.3")
        );
        assert!(!c.contains_key("binary"));
    }
}
