//! Page addresses: the address of a page with what does not change the page set aside, so
//! that one page scraped under several addresses is known as one (`reprint dedup`'s *same
//! page* relation).

/// Query parameters that only track where a reader came from; they never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid", "ito", "ncid",
    "ocid", "smid", "amp", "_ga", "guccounter", "outputtype",
];


/// The address of a page with what does not change the page set aside: scheme, `www.` and
/// `amp.` hosts, default ports, fragments, tracking parameters (`utm_*` and
/// [`TRACKING_PARAMS`]), AMP paths (`/amp`, `.amp.html`, `amp=1`), trailing slashes, and the
/// order of the remaining query parameters. `None` when it is not an absolute web address.
pub fn canonical_url(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let mut host = host.as_str();
    for prefix in ["www.", "amp.", "m."] {
        if let Some(rest) = host.strip_prefix(prefix) {
            if rest.contains('.') {
                host = rest;
            }
        }
    }
    let mut path = url.path().to_string();
    loop {
        let before = path.len();
        for suffix in ["/", "/amp", "/amp.html"] {
            if let Some(p) = path.strip_suffix(suffix) {
                path = p.to_string();
            }
        }
        if path.len() == before {
            break;
        }
    }
    if let Some(stem) = path.strip_suffix(".amp.html") {
        path = format!("{stem}.html");
    } else if let Some(stem) = path.strip_suffix(".amp") {
        path = stem.to_string();
    }
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let mut key = format!("{host}{path}");
    if let Some(port) = url.port() {
        key = format!("{host}:{port}{path}");
    }
    if !query.is_empty() {
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        key.push('?');
        key.push_str(&q.join("&"));
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_page_canonicalise_alike() {
        let base = canonical_url("https://example.com/news/story-1").unwrap();
        assert_eq!(base, "example.com/news/story-1");
        for same in [
            "http://www.example.com/news/story-1/",
            "https://EXAMPLE.com/news/story-1?utm_source=twitter&utm_medium=social",
            "https://example.com/news/story-1#comments",
            "https://amp.example.com/news/story-1",
            "https://example.com/news/story-1/amp",
            "https://example.com/news/story-1/amp/",
            "https://example.com/news/story-1?amp=1&fbclid=abc",
            "https://example.com:443/news/story-1",
        ] {
            assert_eq!(canonical_url(same).as_deref(), Some(base.as_str()), "{same}");
        }
        assert_eq!(canonical_url("https://x.org/a.amp.html"), canonical_url("https://x.org/a.html"));
        // Other pages stay apart: another path, a meaningful parameter, another host.
        assert_ne!(canonical_url("https://example.com/news/story-2"), Some(base.clone()));
        assert_ne!(canonical_url("https://example.com/news/story-1?page=2"), Some(base.clone()));
        assert_ne!(canonical_url("https://example.org/news/story-1"), Some(base));
        // Parameter order does not matter.
        assert_eq!(canonical_url("https://x.org/s?a=1&b=2"), canonical_url("https://x.org/s?b=2&a=1"));
        assert_eq!(canonical_url("not a url"), None);
        assert_eq!(canonical_url("ftp://x.org/file"), None);
    }
}
