fn main() {
    let path = std::env::args().nth(1).unwrap();
    let (h, _) = history::format::read_path(path.as_ref(), None, None).unwrap();
    let r = checkers::linearizable::check(&h, &Default::default()).unwrap();
    for k in &r.keys {
        println!(
            "{:?} {:?} ops={} steps={} configs={} mem={} {:?}",
            k.key,
            k.validity,
            k.ops,
            k.stats.steps,
            k.stats.configurations,
            k.stats.peak_memory_bytes,
            k.elapsed
        );
    }
}
