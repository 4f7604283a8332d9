//! `schism clean`: remove what runs left on the local Docker engine when their schism was
//! killed (SIGKILL, a lost machine): every container (with its data volume) and network
//! labelled `schism.run` whose controller process is gone, and nothing else. Runs still
//! going are never touched; runs started from another host sharing the engine are listed
//! and left alone. `--images` also removes schism's cached images no container uses
//! (they are rebuilt when next needed). Every `schism run` on Docker says when such
//! leftovers exist.

use crate::exit::ExitCode;
use clap::Args;

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Only list what would be removed.
    #[arg(long)]
    pub dry_run: bool,
    /// Also remove schism's cached images that no container uses.
    #[arg(long)]
    pub images: bool,
}

/// Run the command; returns the exit code (0 once everything listed is removed).
pub fn run(args: &CleanArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("schism clean: cannot start the async runtime: {e}");
            return ExitCode::HarnessError;
        }
    };
    match rt.block_on(clean(args)) {
        Ok(()) => ExitCode::Valid,
        Err(e) => {
            eprintln!("schism clean: {e}");
            ExitCode::HarnessError
        }
    }
}

async fn clean(args: &CleanArgs) -> Result<(), cluster::ClusterError> {
    let found = cluster::docker::find_leftovers().await?;
    for run in &found.elsewhere {
        println!(
            "left alone: run {} ({} containers, {} networks), {}",
            run.run_id,
            run.containers.len(),
            run.networks.len(),
            run.why
        );
    }
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removing"
    };
    for run in &found.dead {
        println!(
            "{verb}: run {} ({}): containers {}; networks {}{}",
            run.run_id,
            run.why,
            list(&run.containers),
            list(&run.networks),
            match run.mounts.is_empty() {
                true => String::new(),
                false => format!("; powerfs mounts {}", list(&run.mounts)),
            }
        );
    }
    if found.dead.is_empty() {
        println!("no run left anything behind");
    } else if !args.dry_run {
        cluster::docker::remove_leftovers(&found.dead).await?;
    }
    if args.images {
        let images = cluster::docker::unused_images().await?;
        for (id, tags) in &images {
            println!("{verb}: image {} {}", short(id), list(tags));
        }
        if !args.dry_run {
            let ids: Vec<String> = images.into_iter().map(|(id, _)| id).collect();
            cluster::docker::remove_images(&ids).await?;
        }
    }
    Ok(())
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    &id[..id.len().min(12)]
}

/// What a run says before it starts when earlier runs left objects behind (None: none,
/// or the engine cannot be asked; the run's own start reports that).
pub async fn leftover_notice() -> Option<String> {
    let asked = cluster::docker::find_leftovers();
    let found = tokio::time::timeout(std::time::Duration::from_secs(5), asked)
        .await
        .ok()?
        .ok()?;
    found
        .summary()
        .map(|s| format!("note: {s} remain on the Docker engine; `schism clean` removes them"))
}
