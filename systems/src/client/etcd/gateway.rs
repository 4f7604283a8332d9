//! One request to etcd's v3 JSON gateway, and what its failure says: whether the request
//! may have reached etcd.

use std::time::Duration;

/// How long a client waits after a refused connection before it answers `fail`.
const REFUSED_PAUSE: Duration = Duration::from_millis(20);

/// One gateway request (within `timeout` when given, else the client's own): the
/// answer's JSON, or whether it may have reached etcd.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
    timeout: Option<Duration>,
) -> Result<serde_json::Value, Error> {
    let mut request = http.post(url).json(&body);
    if let Some(t) = timeout {
        request = request.timeout(t);
    }
    let resp = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_connect() && !e.is_timeout() => {
            // The member is down: a short pause, so a worker does not spin on it.
            tokio::time::sleep(REFUSED_PAUSE).await;
            return Err(Error::Refused(e.to_string()));
        }
        Err(e) => return Err(Error::Unknown(e.to_string())),
    };
    let status = resp.status();
    let v: serde_json::Value = resp
        .json()
        .await
        .map_err(|e| Error::Unknown(format!("unreadable answer: {e}")))?;
    if !status.is_success() || v.get("error").is_some() {
        let msg = v
            .get("message")
            .or_else(|| v.get("error"))
            .and_then(|m| m.as_str())
            .unwrap_or("no message")
            .to_string();
        return Err(Error::Unknown(format!("{status}: {msg}")));
    }
    Ok(v)
}

pub(crate) enum Error {
    /// The request never reached etcd.
    Refused(String),
    Unknown(String),
}
