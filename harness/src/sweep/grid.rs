//! The grid of a sweep: each `--param FIELD=V1,V2,...` read and checked, and the cells (every
//! combination of the values, the first param varying slowest).

/// One dimension of the grid: a flag of `schism run` (without its dashes) and its values,
/// each as it would be given on the command line; an empty value stands for not giving the
/// flag (`bug=stale-read,`: with the bug and without).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub field: String,
    pub values: Vec<String>,
}

/// One combination of values: `(field, value)` for each param, in the params' order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell(pub Vec<(String, String)>);

impl Cell {
    /// `nodes=3-traitors=1` (empty for the one cell of a sweep without params).
    pub fn label(&self) -> String {
        self.0
            .iter()
            .map(|(f, v)| format!("{f}={v}"))
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The label made safe for a directory name (`/`, spaces and the like become `_`).
    pub fn dir_label(&self) -> String {
        self.label()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.=,+".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// The flags that make this cell: `--nodes=3` (one token, so a value may start with `-`);
    /// none for an empty value, which leaves the flag as the sweep has it.
    pub fn flags(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(f, v)| format!("--{f}={v}"))
            .collect()
    }
}

/// Read one `--param`. `known` lists the flags a param may name.
pub fn parse(param: &str, known: &[String]) -> Result<Param, String> {
    let Some((field, list)) = param.split_once('=') else {
        return Err(format!(
            "--param {param:?}: expected FIELD=V1,V2,... (e.g. nodes=3,5)"
        ));
    };
    let field = field.trim().trim_start_matches("--").to_string();
    if field == "seed" {
        return Err(
            "--param seed: the sweep sets each run's seed (SEED, SEED+1, ...); give the first \
             with --seed"
                .into(),
        );
    }
    if !known.contains(&field) {
        return Err(format!(
            "--param {field}: unknown field {field:?}; known: {}",
            known.join(", ")
        ));
    }
    if list.split(',').all(|v| v.trim().is_empty()) {
        return Err(format!("--param {field}: the list of values is empty"));
    }
    let values: Vec<String> = list
        .split(',')
        .map(|v| v.trim().replace(';', ","))
        .collect();
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(format!("--param {field}={list}: {v:?} is given twice"));
        }
    }
    Ok(Param { field, values })
}

/// Read every `--param`; a field may be swept only once.
pub fn params(args: &[String], known: &[String]) -> Result<Vec<Param>, String> {
    let mut out: Vec<Param> = Vec::new();
    for a in args {
        let p = parse(a, known)?;
        if out.iter().any(|q| q.field == p.field) {
            return Err(format!(
                "--param {}: given twice; list every value in one --param",
                p.field
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// Every combination of the values, the first param varying slowest; one empty cell when
/// there are no params.
pub fn cells(params: &[Param]) -> Vec<Cell> {
    let mut cells = vec![Cell::default()];
    for p in params {
        cells = cells
            .iter()
            .flat_map(|c| {
                p.values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.0.push((p.field.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["nodes", "nemesis", "traitors", "rate"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn params_read_their_values() {
        let p = parse("nemesis=partition;kill,none", &known()).unwrap();
        assert_eq!(p.field, "nemesis");
        assert_eq!(p.values, vec!["partition,kill", "none"]);
        assert_eq!(parse("rate=-1", &known()).unwrap().values, vec!["-1"]);
        let p = parse("nemesis=partition,", &known()).unwrap();
        assert_eq!(p.values, vec!["partition", ""]);
        let unset = Cell(vec![("nemesis".into(), "".into())]);
        assert!(unset.flags().is_empty());
        assert_eq!(unset.label(), "nemesis=");
    }

    #[test]
    fn bad_params_are_named() {
        for (bad, says) in [
            ("nodez=1", "unknown field \"nodez\""),
            ("nodes=", "empty"),
            ("nodes=,", "empty"),
            ("nodes=3,,", "twice"),
            ("nodes", "FIELD=V1"),
            ("nodes=3,3", "twice"),
            ("seed=1,2", "--seed"),
        ] {
            let e = parse(bad, &known()).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let twice = ["nodes=3".to_string(), "nodes=5".to_string()];
        assert!(params(&twice, &known()).unwrap_err().contains("twice"));
    }

    #[test]
    fn cells_are_the_cartesian_product() {
        let ps = params(&["nodes=3,5".into(), "traitors=0,1,2".into()], &known()).unwrap();
        let cs = cells(&ps);
        assert_eq!(cs.len(), 6);
        assert_eq!(cs[0].label(), "nodes=3-traitors=0");
        assert_eq!(cs[5].label(), "nodes=5-traitors=2");
        assert_eq!(cs[1].flags(), vec!["--nodes=3", "--traitors=1"]);
        assert_eq!(cells(&[]), vec![Cell::default()]);
        let odd = Cell(vec![("store".into(), "a/b c".into())]);
        assert_eq!(odd.dir_label(), "store=a_b_c");
    }
}
