//! The one page shell of every HTML page schism writes (`report.html`, `bench.html`, and
//! the pages of `schism serve`): a self-contained document with its CSS inline, no script,
//! no external asset, and a title that is escaped here.

/// A whole document. `title` is escaped here; `style` is the page's CSS and `body` its
/// already-escaped HTML.
pub fn document(title: &str, style: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{style}</style></head>\n\
         <body>\n{body}\n</body></html>\n",
        crate::escape::html(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_escapes_its_title_and_holds_nothing_external() {
        let d = document("<b>t</b>", "p{}", "<p>x</p>");
        assert!(d.starts_with("<!DOCTYPE html>\n"));
        assert!(d.contains("<title>&lt;b&gt;t&lt;/b&gt;</title>"));
        assert!(d.contains("<style>p{}</style>") && d.contains("<p>x</p>"));
        assert!(!d.contains("<script") && !d.contains("src="));
    }
}
